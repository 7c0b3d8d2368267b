"""The encrypted local store: SQLCipher roster, ANC history, accounts, audit (issue #3)."""
