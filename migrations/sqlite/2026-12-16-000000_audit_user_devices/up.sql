-- The devices the trail has seen a user on, in one index: every sign-in
-- asks whether its device is new beside others the user signed in from
-- (the new-device mail), and answers from two probes of this index
-- instead of reading every event of the user (`audit_events_user_idx`),
-- which grows with each sign-in. bench/README.md, "The new-device check".
CREATE INDEX audit_events_user_device_idx ON audit_events (user_id, device_id);
