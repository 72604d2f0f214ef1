UPDATE users SET consent = NULL WHERE consent = 0;
