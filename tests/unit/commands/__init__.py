"""Unit tests of the input language and the command machinery: parsing, words, declarations, catalogs."""
