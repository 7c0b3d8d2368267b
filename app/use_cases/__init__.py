"""The program's acts, each a function over a ledger and today's date."""
