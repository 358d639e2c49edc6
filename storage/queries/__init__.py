"""One module of queries per table family; the database and the schema live one folder up."""
