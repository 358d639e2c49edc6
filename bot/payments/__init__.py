"""Money that arrives, on the bot's side: the EPC QR image, and reading bank statements (CAMT.053, MT940)."""
