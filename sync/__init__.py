"""The desktop's registry client: outbox push and change-feed pull (issue #4)."""
