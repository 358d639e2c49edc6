"""What Kring says: the sentences, their catalogs in each language, message fragments and safe markup."""
