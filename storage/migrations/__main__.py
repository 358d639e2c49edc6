"""`python -m storage.migrations`: rewrite storage/schema.sql from the migrations."""

from storage.migrations.schema_file import main

main()
