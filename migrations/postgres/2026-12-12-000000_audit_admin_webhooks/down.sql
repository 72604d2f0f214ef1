DROP TABLE webhook_deliveries;
DROP TABLE webhook_endpoints;
DROP TABLE admin_keys;
DROP TABLE audit_events;
