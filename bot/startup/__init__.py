"""What each server process runs once at start-up: reading settings, redacting logs."""
