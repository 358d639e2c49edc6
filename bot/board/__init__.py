"""The room's board on the web: the server, the page, its cache, the Element widget and its OpenID check."""
