# Registrar mails: en. The templates (templates/<kind>.*) name these ids;
# { $name } is the addressee's name.

## shared

greeting-named = Hello { $name },
greeting = Hello,
code-label = Your code:
button-fallback = Button not working? Copy this link into your browser:
choose-password-button = Choose a new password
reset-password-button = Reset my password

## confirmation

confirmation-subject = Confirm your email address
confirmation-enter-code = Please confirm your email address by entering this code:
confirmation-open-link = Or confirm it by opening this link:
confirmation-not-you = Didn't ask for this? Then you can safely ignore this email.
confirmation-one-click = Or confirm it with one click:
confirmation-button = Confirm my email address

## signup-confirmation

signup-confirmation-subject = Confirm your new account
signup-confirmation-open-link = Thanks for signing up! To activate your account, open this link:
signup-confirmation-code-hint = If the app you signed up in asks for a code, type this one there. It confirms your address; to activate your account, open the link above.
signup-confirmation-not-you = Didn't sign up? Then you can ignore this email; no account will be activated.
signup-confirmation-intro = Thanks for signing up! To activate your account, confirm your email address.
signup-confirmation-button = Activate my account

## signup-attempt

signup-attempt-subject = Someone tried to sign up with your email address
signup-attempt-intro = Someone (perhaps you) tried to sign up with this email address, but it already has an account.
signup-attempt-open-link = Was it you? Then simply log in. Forgot your password? Choose a new one through this link:
signup-attempt-not-you = If it wasn't you, you can ignore this email; nothing about your account has changed.
signup-attempt-choose = Was it you? Then simply log in. Forgot your password? Choose a new one:

## password-reset

password-reset-subject = Reset your password
password-reset-open-link = We received a request to reset your password. Choose a new password through this link, which is valid for one hour:
password-reset-not-you = Didn't ask for this? Then you can ignore this email; your password stays the same.
password-reset-intro = We received a request to reset your password. Choose a new password through the button below; it works for one hour.

## password-changed

password-changed-subject = Your password was changed
password-changed-intro = The password of your account was just changed. For your security, you have been signed out on your other devices.
password-changed-was-you = Was this you? Then there is nothing more to do.
password-changed-open-link = If it wasn't you, reset your password right away through this link:
password-changed-reset = If it wasn't you, reset your password right away:

## totp-enabled

totp-enabled-subject = Two-step verification is on
totp-enabled-intro = Two-step verification was just turned on for your account. From now on, signing in asks for a code from your authenticator app after your password.
totp-enabled-keep-codes = Keep your recovery codes somewhere safe: each one signs you in once if you lose your phone.
totp-enabled-open-link = If it wasn't you, somebody knows your password. Reset it right away through this link, then contact support to have the authenticator app removed:
totp-enabled-reset = If it wasn't you, somebody knows your password. Reset it right away, then contact support to have the authenticator app removed:

## totp-disabled

totp-disabled-subject = Two-step verification is off
totp-disabled-intro = Two-step verification was just turned off for your account, and your recovery codes no longer work. Signing in now asks for your password only.
totp-disabled-was-you = Was this you, or did you ask for it? Then there is nothing more to do. You can turn it on again at any time in your account's security settings.
totp-disabled-open-link = If it wasn't you, reset your password right away through this link, then turn two-step verification on again:
totp-disabled-reset = If it wasn't you, reset your password right away, then turn two-step verification on again:

## recovery-code-used

recovery-code-used-subject = A recovery code was used to sign in
recovery-code-used-intro = One of your recovery codes was used to sign in to your account on { $when }. That code no longer works.
recovery-code-used-new-codes = Was this you? If you lost your authenticator app or have few codes left, make new recovery codes (or set up the app again) in your account's security settings.
recovery-code-used-open-link = If it wasn't you, somebody knows your password and one of your recovery codes. Reset your password right away through this link, then make new recovery codes:
recovery-code-used-reset = If it wasn't you, somebody knows your password and one of your recovery codes. Reset your password right away, then make new recovery codes:

## passkey-added

passkey-added-subject = A passkey was added to your account
passkey-added-intro = A passkey was just added to your account. It can now sign you in without your password, and it counts as your second step when you sign in with your password.
passkey-added-was-you = Was this you? Then there is nothing more to do. You can see, rename and remove your passkeys in your account's security settings.
passkey-added-open-link = If it wasn't you, somebody can sign in to your account. Reset your password right away through this link, then remove the passkey you don't know:
passkey-added-reset = If it wasn't you, somebody can sign in to your account. Reset your password right away, then remove the passkey you don't know:

## passkey-removed

passkey-removed-subject = A passkey was removed from your account
passkey-removed-intro = A passkey was just removed from your account. It no longer signs you in.
passkey-removed-was-you = Was this you? Then there is nothing more to do.
passkey-removed-open-link = If it wasn't you, reset your password right away through this link, then check your passkeys and second steps:
passkey-removed-reset = If it wasn't you, reset your password right away, then check your passkeys and second steps:
## sign-in-code

sign-in-code-subject = Your sign-in code
sign-in-code-intro = Use this code to sign in to your account. It works once, for { $minutes } minutes.
sign-in-code-never-share = Never share it with anyone: we will never ask you for it.
sign-in-code-not-you = Didn't ask for this? Then someone typed your email address. Without this code they cannot sign in, and you can ignore this email.

## new-sign-in

new-sign-in-subject = New sign-in on { $device }
new-sign-in-intro = Someone just signed in to your account on a device it was never used on before: { $device }, on { $when }.
new-sign-in-was-you = Was this you? Then there is nothing more to do. You can see your recent activity and sign out devices in your account's security settings.
new-sign-in-not-you = If it wasn't you, somebody knows your password. Reset it right away with "Forgot password" in the app you use; that signs out every device.

## email-change

email-change-confirm-subject = Confirm your new email address
email-change-confirm-intro = You asked to use this address for your account. Confirm it by entering this code within { $hours } hours:
email-change-confirm-open-link = Or confirm it by opening this link:
email-change-confirm-one-click = Or confirm it with one click:
email-change-confirm-button = Confirm my new address
email-change-confirm-not-you = Didn't ask for this? Then you can safely ignore this email; the account keeps its address.
email-change-notice-subject = Your email address is being changed
email-change-notice-intro = Someone asked to change the email address of your account to { $address }. Nothing changes until the new address is confirmed.
email-change-notice-was-you = Was this you? Then there is nothing more to do.
email-change-notice-open-link = If it wasn't you, open this link: it cancels the change, signs you out everywhere and sends you a link to choose a new password:
email-change-notice-not-you = If it wasn't you, cancel the change: that signs you out everywhere and sends you a link to choose a new password.
email-change-notice-button = This was not me
email-changed-subject = Your email address was changed
email-changed-intro = Your account now uses the email address { $address }; mail about it no longer comes here.
email-changed-not-you = If it wasn't you, somebody has your password and your new mailbox: contact us right away.
