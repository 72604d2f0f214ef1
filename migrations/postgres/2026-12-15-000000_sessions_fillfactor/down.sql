ALTER TABLE sessions RESET (fillfactor);
