"""Money that arrives: payment requests after GO, and bank statements matched to them."""
