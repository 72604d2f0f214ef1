DROP TABLE breached_password_filter;
