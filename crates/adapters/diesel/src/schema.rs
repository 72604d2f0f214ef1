//! The tables, as diesel sees them. One schema for both backends: only column
//! types that mean the same on SQLite and Postgres (text ids, `Integer`,
//! `Bool`, UTC `Timestamp`), so every query compiles for both.
//!
//! Written by hand to match `migrations/{sqlite,postgres}`; keep them in step.

diesel::table! {
    users (id) {
        id -> Text,
        email -> Text,
        email_normalized -> Text,
        password_hash -> Nullable<Text>,
        usertype -> Text,
        firstname -> Nullable<Text>,
        insertion -> Nullable<Text>,
        lastname -> Nullable<Text>,
        display_name -> Nullable<Text>,
        full_name -> Nullable<Text>,
        telephone -> Nullable<Text>,
        tin_nr -> Nullable<Text>,
        postal_code -> Nullable<Text>,
        year_of_birth -> Nullable<Integer>,
        organisation_name -> Nullable<Text>,
        organisation_street_name -> Nullable<Text>,
        organisation_town -> Nullable<Text>,
        organisation_sector -> Nullable<Text>,
        role -> Text,
        language -> Text,
        email_confirmed_at -> Nullable<Timestamp>,
        disabled -> Bool,
        created_at -> Timestamp,
        consent -> Nullable<Integer>,
    }
}

diesel::table! {
    clients (id) {
        id -> Text,
        name -> Text,
        created_at -> Timestamp,
        kind -> Text,
        secret_hash -> Nullable<Text>,
        redirect_uris -> Text,
        post_logout_redirect_uris -> Text,
        trusted -> Bool,
    }
}

diesel::table! {
    sessions (id) {
        id -> Text,
        user_id -> Text,
        client_id -> Text,
        device_id -> Text,
        device_name -> Text,
        access_hash -> Text,
        access_expires_at -> Timestamp,
        refresh_hash -> Text,
        refreshed_at -> Timestamp,
        created_at -> Timestamp,
        last_used_at -> Timestamp,
        sign_in_method -> Text,
        scope -> Nullable<Text>,
    }
}

diesel::table! {
    retired_refresh_tokens (hash) {
        hash -> Text,
        session_id -> Text,
        retired_at -> Timestamp,
    }
}

diesel::table! {
    policy_revisions (id) {
        id -> Integer,
        policy_type -> Text,
        version -> Text,
        published_at -> Timestamp,
    }
}

diesel::table! {
    policy_texts (revision_id, language) {
        revision_id -> Integer,
        language -> Text,
        title -> Text,
        description -> Text,
        button -> Text,
        html -> Text,
    }
}

diesel::table! {
    policy_acceptances (user_id, revision_id) {
        user_id -> Text,
        revision_id -> Integer,
        accepted_at -> Timestamp,
        language -> Nullable<Text>,
    }
}

diesel::table! {
    confirmations (id) {
        id -> Text,
        user_id -> Text,
        purpose -> Text,
        code_hash -> Nullable<Text>,
        link_hash -> Text,
        expires_at -> Timestamp,
        attempts -> Integer,
        used_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    email_changes (user_id) {
        user_id -> Text,
        id -> Text,
        new_email -> Text,
        new_email_normalized -> Text,
        code_hash -> Nullable<Text>,
        link_hash -> Nullable<Text>,
        cancel_hash -> Nullable<Text>,
        attempts -> Integer,
        expires_at -> Timestamp,
        created_at -> Timestamp,
    }
}

diesel::table! {
    outbox (id) {
        id -> Text,
        user_id -> Text,
        kind -> Text,
        attempts -> Integer,
        retry_at -> Timestamp,
        claimed_until -> Nullable<Timestamp>,
        sent_at -> Nullable<Timestamp>,
        given_up_at -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
        detail -> Nullable<Text>,
    }
}

diesel::table! {
    invites (token_hash) {
        token_hash -> Text,
        name -> Nullable<Text>,
        uses_left -> Integer,
        created_at -> Timestamp,
    }
}

diesel::table! {
    throttle_counters (key) {
        key -> Text,
        window_start -> Timestamp,
        count -> Integer,
        locked_until -> Nullable<Timestamp>,
        locks -> Integer,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    totp_factors (user_id) {
        user_id -> Text,
        secret_sealed -> Text,
        created_at -> Timestamp,
        confirmed_at -> Nullable<Timestamp>,
        last_step -> Nullable<BigInt>,
    }
}

diesel::table! {
    recovery_codes (user_id, code_hash) {
        user_id -> Text,
        code_hash -> Text,
        created_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    mfa_tokens (token_hash) {
        token_hash -> Text,
        user_id -> Text,
        client_id -> Text,
        device_id -> Text,
        device_name -> Text,
        first_factor -> Text,
        new_password_hash -> Nullable<Text>,
        failures -> Integer,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
        credential -> Nullable<Text>,
        purpose -> Text,
        new_email -> Nullable<Text>,
    }
}

diesel::table! {
    passkeys (id) {
        id -> Text,
        user_id -> Text,
        name -> Text,
        credential_id -> Text,
        credential -> Text,
        sign_count -> BigInt,
        backup_eligible -> Bool,
        backup_state -> Bool,
        created_at -> Timestamp,
        last_used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    webauthn_ceremonies (id_hash) {
        id_hash -> Text,
        kind -> Text,
        user_id -> Nullable<Text>,
        state -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    signing_keys (kid) {
        kid -> Text,
        alg -> Text,
        public_n -> Text,
        public_e -> Text,
        private_key -> Text,
        created_at -> Timestamp,
        retired_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    browser_sessions (id) {
        id -> Text,
        cookie_hash -> Text,
        user_id -> Text,
        client_id -> Text,
        device_name -> Text,
        sign_in_method -> Text,
        auth_time -> Timestamp,
        last_used_at -> Timestamp,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    authorization_codes (code_hash) {
        code_hash -> Text,
        client_id -> Text,
        redirect_uri -> Text,
        user_id -> Text,
        browser_session_id -> Text,
        device_name -> Text,
        scope -> Text,
        nonce -> Nullable<Text>,
        code_challenge -> Nullable<Text>,
        auth_time -> Timestamp,
        sign_in_method -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
        session_id -> Nullable<Text>,
    }
}

diesel::table! {
    oauth_consents (user_id, client_id) {
        user_id -> Text,
        client_id -> Text,
        scope -> Text,
        granted_at -> Timestamp,
    }
}

diesel::table! {
    audit_events (seq) {
        seq -> BigInt,
        id -> Text,
        at -> Timestamp,
        kind -> Text,
        user_id -> Nullable<Text>,
        email -> Nullable<Text>,
        client_id -> Nullable<Text>,
        device_id -> Nullable<Text>,
        device_name -> Nullable<Text>,
        request_id -> Nullable<Text>,
        actor -> Text,
        ip -> Nullable<Text>,
        data -> Text,
    }
}

diesel::table! {
    admin_keys (id) {
        id -> Text,
        name -> Text,
        scopes -> Text,
        key_hash -> Text,
        created_at -> Timestamp,
        last_used_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    webhook_endpoints (id) {
        id -> Text,
        url -> Text,
        events -> Text,
        secret -> Text,
        enabled -> Bool,
        created_at -> Timestamp,
        failing_since -> Nullable<Timestamp>,
        disabled_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    webhook_deliveries (id) {
        id -> Text,
        endpoint_id -> Text,
        event_id -> Text,
        message_id -> Text,
        body -> Text,
        attempts -> Integer,
        retry_at -> Timestamp,
        claimed_until -> Nullable<Timestamp>,
        delivered_at -> Nullable<Timestamp>,
        given_up_at -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    breached_password_filter (piece) {
        piece -> Integer,
        version -> Text,
        entries -> BigInt,
        imported_at -> Timestamp,
        data -> Binary,
    }
}

diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(sessions -> clients (client_id));
diesel::joinable!(retired_refresh_tokens -> sessions (session_id));
diesel::joinable!(policy_texts -> policy_revisions (revision_id));
diesel::joinable!(policy_acceptances -> users (user_id));
diesel::joinable!(policy_acceptances -> policy_revisions (revision_id));
diesel::joinable!(confirmations -> users (user_id));
diesel::joinable!(outbox -> users (user_id));
diesel::joinable!(email_changes -> users (user_id));
diesel::joinable!(browser_sessions -> users (user_id));
diesel::joinable!(webhook_deliveries -> webhook_endpoints (endpoint_id));

diesel::allow_tables_to_appear_in_same_query!(
    users,
    clients,
    sessions,
    retired_refresh_tokens,
    policy_revisions,
    policy_texts,
    policy_acceptances,
    confirmations,
    email_changes,
    outbox,
    invites,
    throttle_counters,
    totp_factors,
    recovery_codes,
    mfa_tokens,
    passkeys,
    webauthn_ceremonies,
    signing_keys,
    browser_sessions,
    audit_events,
    admin_keys,
    webhook_endpoints,
    webhook_deliveries,
    authorization_codes,
    oauth_consents,
    breached_password_filter,
);
