# Registrar API messages and page texts: en.
# Ids are the dotted keys the code names, with "-" for ".".

## error

error-method_not_allowed = This path does not take that method.
error-invalid_request = The request body could not be read.
error-validation_failed = The given data was invalid.
error-invalid_client = Unknown client.
error-invalid_grant = The username, password or token is not valid.
error-unsupported_grant_type = This grant type is not supported.
error-invalid_token = The access token is missing, invalid or expired.
error-insufficient_scope = The access token does not grant the scope this request needs.
error-email_not_confirmed = Please confirm your email address first.
error-account_disabled = This account is disabled.
error-not_found = Not found.
error-unsupported_media_type = Send the body as application/json or application/x-www-form-urlencoded.
error-payload_too_large = The request body is larger than 64 KiB.
error-headers_too_large = The request headers are too large.
error-request_timeout = The request body did not arrive in time.
error-invalid_reset_token = This password reset link is invalid, already used or expired. Ask for a new one.
error-client_auth_unreadable = The client authentication (HTTP Basic) could not be read: send the client_id as the user name and an empty password.
error-client_secret = This client has no secret: send the client_id as the HTTP Basic user name with an empty password.
error-client_id_mismatch = The client_id in the body differs from the one in the Authorization header.
error-client_authentication = Client authentication failed: a confidential client sends its secret, by HTTP Basic or as client_secret.
error-client_auth_twice = Send the client secret once: by HTTP Basic or as client_secret, not both.
error-token_parameter_missing = The token parameter is missing.
error-too_many_attempts = Too many attempts. Please try again later.
error-server_error = Something went wrong on our side. Please try again later.
error-mfa_required = A second factor is required: send it with the mfa_token to /api/token (grant_type=mfa).
error-factor_enabled = This factor is already enabled. Remove it first to enrol a new one.

## field

field-invalid_postal_code = This is not a valid postal code.
field-invalid_invite = This signup token is invalid or has been used.
field-invalid_year_of_birth = This is not a valid year of birth.
field-invalid_sector = Choose a sector letter from A to T.
field-invalid_usertype = Choose customer or organisation.
field-not_an_integer = This field must be an integer.
field-required = This field is required.
field-too_long = This field may not be longer than { $max } characters.
field-control_characters = This field may not contain control characters (line breaks, tabs, NUL).
field-invalid_email = This is not a valid email address.
field-email_taken = This email address is already registered.
field-password_too_short = The password must be at least { $min } characters.
field-password_too_long = The password may not be longer than { $max } characters.
field-password_too_common = This password is too common.
field-password_breached = This password has appeared in a data breach; choose another.
field-password_equals_email = The password may not be your email address.
field-password_unchanged = The new password must differ from the current one.
field-password_incorrect = The password is incorrect.
field-invalid_telephone = This is not a valid international telephone number, like +32 475 00 00 00.
field-invalid_policy_id = Policy revision ids are integers.
field-unknown_policy = There is no policy revision { $id }.
field-policy_required = The current { $type } policy must be accepted.
field-not_a_list = This field must be a list.
field-too_many_items = This list may have at most { $max } entries.
field-invalid_language = Choose one of en, nl, fr, de, es.
field-wrong_code = This code is not the current one of your authenticator app.
field-one_factor = Give exactly one of code, recovery_code and credential.
field-invalid_credential = This is not a WebAuthn credential in its JSON form.
field-unknown_ceremony = This ceremony is unknown, finished or expired: ask for new options.
field-credential_refused = The authenticator's answer was refused (another site, a bad signature, no user verification, or a passkey already registered).

## users

users-login_incorrect = The username or password is incorrect.
users-not_validated = The email is not validated
users-invalid = The given data was invalid.
users-validated = Validated
users-token_incorrect = Token is incorrect
users-already_validated = The email is already validated
users-no_account = No account with this email
users-too_many_attempts = Too many attempts
users-mail_sent = Mail sent
users-server_error = Server Error

## users.rule

users-rule-required = The { $attribute } field is required.
users-rule-email = The { $attribute } must be a valid email address.
users-rule-max = The { $attribute } may not be greater than { $max } characters.
users-rule-control_characters = The { $attribute } may not contain control characters.
users-rule-integer = The { $attribute } must be an integer.
users-rule-unique = The { $attribute } has already been taken.
users-rule-password_min = The { $attribute } must be at least { $min } characters.
users-rule-password_common = The { $attribute } is too common; choose another one.
users-rule-password_breached = The { $attribute } has appeared in a data breach; choose another one.
users-rule-different_email = The { $attribute } and email must be different.
users-rule-format = The { $attribute } format is invalid.
users-rule-selected = The selected { $attribute } is invalid.
users-rule-incorrect = The { $attribute } is incorrect.
users-mfa_required = A second factor is required.

## page

page-confirmed_title = Address confirmed
page-confirmed_text = Your email address is confirmed. You can close this page and go back to your app.
page-invalid_title = Link not valid
page-invalid_text = This link is invalid, already used or expired. Ask for a new one in your app.
page-reset_title = Choose a new password
page-reset_text = Type your new password twice.
page-reset_hint = Choose a password that is hard to guess: long, not a common one, and not your email address.
page-password_label = New password
page-password_repeat_label = Repeat the new password
page-submit = Change password
page-mismatch = The passwords do not match.
page-form_expired = The form expired. Please try again.
page-form_unreadable = The form could not be read. Please try again.
page-reset_done_title = Password changed
page-reset_done_text = Your password is changed and every session is signed out. Log in again in your app with your new password.
page-error_title = Something went wrong
page-error_text = Something went wrong on our side. Please try again later.
page-signup_title = Activate your account
page-signup_text = To activate your account, give your consent. You can also choose a password now; it is optional.
page-consent_label = I consent to the processing of my account data to provide the service.
page-consent_required = Your consent is needed to activate your account.
page-signup_password_label = Password (optional)
page-signup_password_repeat_label = Repeat the password
page-signup_submit = Activate account
page-signup_hint = If you choose a password, make it hard to guess: long, not a common one, and not your email address.
page-signup_done_title = Account active
page-signup_done_text = Your account is active. You can now log in in the app.
page-already_confirmed_text = This link was used before: your email address is confirmed. You can close this page and go back to your app.
page-signup_used_text = This link was used before: your account is active. Log in in the app; if you chose no password, ask for one with “Forgot password?” in the app.
page-signup_done_no_password_text = Your account is active, but it has no password yet. To log in, choose one: use “Forgot password?” in the app with this email address, and open the link we mail you.

## typed

typed-token_required = No token sent.
typed-token_in_resultset = Token invalid or has been used.
typed-email_required = No email sent.
typed-email_email = Email is invalid.
typed-email_not_in_resultset = Email exists.
typed-postcode_required = No postcode sent.
typed-postcode_postcode = Postcode is invalid
typed-password_required = No password sent.
typed-password_too_short = Password must be at least { $min } characters long.
typed-password_too_long = Password must be at most { $max } characters long.
typed-password_too_common = Password is too common; choose another one.
typed-password_breached = Password has appeared in a data breach; choose another one.
typed-password_equals_email = Password must not be the email address.
typed-usertype_in = "usertype" is invalid.
typed-name_required = No name sent or was blank.
typed-year_of_birth_required = No year_of_birth sent.
typed-year_of_birth_number = year_of_birth is invalid
typed-year_of_birth_gt_num = year_of_birth must be within last 150 years
typed-year_of_birth_lt_num = year_of_birth must be atleast 10 years ago
typed-street_name_required = No street_name sent.
typed-town_required = No town sent.
typed-sector_required = No sector sent.
typed-sector_in = "sector" is invalid.
typed-too_long = { $field } may not be longer than { $max } characters.
typed-control_characters = { $field } may not contain control characters.
typed-success = Registered Successfully
typed-server_error = An unknown error occurred.

## The OAuth pages: sign-in, consent, logout
page-authorize_error_title = This sign-in link does not work
page-authorize_missing_client = The app that sent you here did not say who it is. Go back to the app and try again.
page-authorize_unknown_client = The app that sent you here is not known to us. Go back to the app and try again.
page-authorize_missing_redirect_uri = The app that sent you here did not say where to send you back. Go back to the app and try again.
page-authorize_unregistered_redirect_uri = The app that sent you here asked to send you back to an address it has not registered, so we will not send you there.
page-error_code = Error code: { $code }
page-signin_title = Sign in
page-signin_text = Sign in to continue to { $client }.
page-email_label = Email address
page-signin_password_label = Password
page-signin_submit = Sign in
page-signin_send_code = Email me a sign-in code instead
page-signin_passkey = Sign in with a passkey
page-passkey_failed = The passkey did not work. Try again, or sign in another way.
page-forgot_link = Forgot password?
page-signup_link = Create an account
page-signin_missing = Type your email address and your password.
page-signin_email_invalid = Type a valid email address.
page-signin_wrong = The email address or the password is wrong.
page-too_many_attempts = Too many attempts. Try again in { $seconds } seconds.
page-account_disabled = This account is disabled.
page-email_not_confirmed = Confirm your email address first: open the link we mailed you.
page-code_title = Check your email
page-code_text = If { $email } has an account, we sent a sign-in code to it. Type the code here.
page-code_label = Sign-in code
page-code_resend = Send a new code
page-code_wrong = The code is wrong or expired.
page-start_again = Start again
page-second_factor_title = Confirm it is you
page-second_factor_text = Your account asks for a second step.
page-totp_label = Code from your authenticator app
page-verify = Verify
page-recovery_label = Or a recovery code
page-recovery_submit = Use the recovery code
page-second_factor_passkey = Use a passkey
page-second_factor_wrong = The code is wrong, or the sign-in took too long: start again.
page-consent_title = Allow access
page-consent_text = { $client } asks to:
page-consent_policies_text = To go on, accept these terms:
page-consent_allow = Allow
page-consent_deny = Deny
page-consent_hint = You can sign out of the app at any time.
page-consent_policies_required = Tick every box to accept the terms, or deny.
page-scope_openid = sign you in
page-scope_email = see your email address
page-scope_profile = see your name and language
page-scope_phone = see your telephone number
page-scope_offline_access = stay signed in
page-logout_title = Sign out of Registrar?
page-logout_text = You will be signed out in this browser.
page-logout_everywhere = Also sign out of the apps you signed in to from this browser
page-logout_submit = Sign out
page-logout_error_title = This sign-out link does not work
page-logout_unknown_client = The app that sent you here is not known to us.
page-logout_client_mismatch = The app that sent you here does not match the sign-in it names.
page-logout_unregistered_uri = The app asked to send you to an address it has not registered, so we will not send you there.
page-logout_done_title = You are signed out
page-logout_done_text = You are signed out in this browser. You can close this page.
page-back_to_signin = Back to sign-in
page-forgot_title = Forgot your password?
page-forgot_text = Type your email address: if it has an account, we mail you a link to choose a new password.
page-forgot_submit = Mail me a link
page-forgot_sent_title = Check your email
page-forgot_sent_text = If { $email } has an account, we mailed a link to it to choose a new password. Then come back and sign in.
page-create_title = Create an account
page-create_text = Type your email address: we mail you a link to activate your account.
page-create_submit = Create account
page-create_sent_title = Check your email
page-create_sent_text = We mailed a link to { $email }. Open it to activate your account, then come back and sign in.
page-create_not_offered = Accounts are made by invitation here.
