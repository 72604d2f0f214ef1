# Registrar mails: de. The templates (templates/<kind>.*) name these ids;
# { $name } is the addressee's name.

## shared

greeting-named = Hallo { $name },
greeting = Hallo,
code-label = Ihr Code:
button-fallback = Die Schaltfläche funktioniert nicht? Kopieren Sie diesen Link in Ihren Browser:
choose-password-button = Neues Passwort wählen
reset-password-button = Passwort zurücksetzen

## confirmation

confirmation-subject = Bestätigen Sie Ihre E-Mail-Adresse
confirmation-enter-code = Bitte bestätigen Sie Ihre E-Mail-Adresse mit diesem Code:
confirmation-open-link = Oder öffnen Sie diesen Link:
confirmation-not-you = Sie haben das nicht angefordert? Dann können Sie diese E-Mail einfach ignorieren.
confirmation-one-click = Oder bestätigen Sie sie mit einem Klick:
confirmation-button = E-Mail-Adresse bestätigen

## signup-confirmation

signup-confirmation-subject = Bestätigen Sie Ihr neues Konto
signup-confirmation-open-link = Vielen Dank für Ihre Registrierung! Öffnen Sie diesen Link, um Ihr Konto zu aktivieren:
signup-confirmation-code-hint = Fragt die App, in der Sie sich registriert haben, nach einem Code? Geben Sie dort diesen ein. Er bestätigt Ihre Adresse; um Ihr Konto zu aktivieren, öffnen Sie den Link oben.
signup-confirmation-not-you = Sie haben sich nicht registriert? Dann ignorieren Sie diese E-Mail einfach; es wird kein Konto aktiviert.
signup-confirmation-intro = Vielen Dank für Ihre Registrierung! Bestätigen Sie Ihre E-Mail-Adresse, um Ihr Konto zu aktivieren.
signup-confirmation-button = Konto aktivieren

## signup-attempt

signup-attempt-subject = Registrierungsversuch mit Ihrer E-Mail-Adresse
signup-attempt-intro = Jemand (vielleicht Sie selbst) hat versucht, sich mit dieser E-Mail-Adresse zu registrieren. Für diese Adresse gibt es aber bereits ein Konto.
signup-attempt-open-link = Waren Sie das? Dann melden Sie sich einfach an. Passwort vergessen? Über diesen Link können Sie ein neues wählen:
signup-attempt-not-you = Waren Sie das nicht? Dann können Sie diese E-Mail ignorieren; an Ihrem Konto hat sich nichts geändert.
signup-attempt-choose = Waren Sie das? Dann melden Sie sich einfach an. Passwort vergessen? Hier können Sie ein neues wählen:

## password-reset

password-reset-subject = Setzen Sie Ihr Passwort zurück
password-reset-open-link = Wir haben eine Anfrage erhalten, Ihr Passwort zurückzusetzen. Über diesen Link, der eine Stunde gültig ist, können Sie ein neues Passwort wählen:
password-reset-not-you = Sie haben das nicht angefordert? Dann ignorieren Sie diese E-Mail; Ihr Passwort bleibt unverändert.
password-reset-intro = Wir haben eine Anfrage erhalten, Ihr Passwort zurückzusetzen. Mit der Schaltfläche unten können Sie eine Stunde lang ein neues Passwort wählen.

## password-changed

password-changed-subject = Ihr Passwort wurde geändert
password-changed-intro = Das Passwort Ihres Kontos wurde soeben geändert. Zu Ihrer Sicherheit wurden Sie auf Ihren anderen Geräten abgemeldet.
password-changed-was-you = Waren Sie das? Dann müssen Sie nichts weiter tun.
password-changed-open-link = Waren Sie das nicht? Dann setzen Sie Ihr Passwort über diesen Link sofort zurück:
password-changed-reset = Waren Sie das nicht? Dann setzen Sie Ihr Passwort sofort zurück:

## totp-enabled

totp-enabled-subject = Die Zwei-Schritt-Verifizierung ist aktiviert
totp-enabled-intro = Für Ihr Konto wurde soeben die Zwei-Schritt-Verifizierung aktiviert. Ab jetzt wird bei der Anmeldung nach Ihrem Passwort auch ein Code aus Ihrer Authenticator-App abgefragt.
totp-enabled-keep-codes = Bewahren Sie Ihre Wiederherstellungscodes an einem sicheren Ort auf: Mit jedem können Sie sich einmal anmelden, falls Sie Ihr Telefon verlieren.
totp-enabled-open-link = Waren Sie das nicht? Dann kennt jemand Ihr Passwort. Setzen Sie es über diesen Link sofort zurück und wenden Sie sich danach an den Support, um die Authenticator-App entfernen zu lassen:
totp-enabled-reset = Waren Sie das nicht? Dann kennt jemand Ihr Passwort. Setzen Sie es sofort zurück und wenden Sie sich danach an den Support, um die Authenticator-App entfernen zu lassen:

## totp-disabled

totp-disabled-subject = Die Zwei-Schritt-Verifizierung ist deaktiviert
totp-disabled-intro = Für Ihr Konto wurde soeben die Zwei-Schritt-Verifizierung deaktiviert; Ihre Wiederherstellungscodes gelten nicht mehr. Bei der Anmeldung wird jetzt nur noch Ihr Passwort abgefragt.
totp-disabled-was-you = Waren Sie das, oder haben Sie darum gebeten? Dann müssen Sie nichts weiter tun. Sie können sie jederzeit in den Sicherheitseinstellungen Ihres Kontos wieder aktivieren.
totp-disabled-open-link = Waren Sie das nicht? Dann setzen Sie Ihr Passwort über diesen Link sofort zurück und aktivieren Sie die Zwei-Schritt-Verifizierung wieder:
totp-disabled-reset = Waren Sie das nicht? Dann setzen Sie Ihr Passwort sofort zurück und aktivieren Sie die Zwei-Schritt-Verifizierung wieder:

## recovery-code-used

recovery-code-used-subject = Ein Wiederherstellungscode wurde zur Anmeldung verwendet
recovery-code-used-intro = Am { $when } wurde einer Ihrer Wiederherstellungscodes verwendet, um sich bei Ihrem Konto anzumelden. Dieser Code gilt jetzt nicht mehr.
recovery-code-used-new-codes = Waren Sie das? Wenn Sie Ihre Authenticator-App verloren haben oder nur noch wenige Codes übrig sind, erstellen Sie in den Sicherheitseinstellungen Ihres Kontos neue Wiederherstellungscodes (oder richten Sie die App neu ein).
recovery-code-used-open-link = Waren Sie das nicht? Dann kennt jemand Ihr Passwort und einen Ihrer Wiederherstellungscodes. Setzen Sie Ihr Passwort über diesen Link sofort zurück und erstellen Sie danach neue Wiederherstellungscodes:
recovery-code-used-reset = Waren Sie das nicht? Dann kennt jemand Ihr Passwort und einen Ihrer Wiederherstellungscodes. Setzen Sie Ihr Passwort sofort zurück und erstellen Sie danach neue Wiederherstellungscodes:

## passkey-added

passkey-added-subject = Ihrem Konto wurde ein Passkey hinzugefügt
passkey-added-intro = Ihrem Konto wurde soeben ein Passkey hinzugefügt. Mit ihm können Sie sich ohne Passwort anmelden, und bei der Anmeldung mit Passwort gilt er als zweiter Schritt.
passkey-added-was-you = Waren Sie das? Dann müssen Sie nichts weiter tun. In den Sicherheitseinstellungen Ihres Kontos können Sie Ihre Passkeys ansehen, umbenennen und entfernen.
passkey-added-open-link = Waren Sie das nicht? Dann kann sich jemand bei Ihrem Konto anmelden. Setzen Sie Ihr Passwort über diesen Link sofort zurück und entfernen Sie danach den unbekannten Passkey:
passkey-added-reset = Waren Sie das nicht? Dann kann sich jemand bei Ihrem Konto anmelden. Setzen Sie Ihr Passwort sofort zurück und entfernen Sie danach den unbekannten Passkey:

## passkey-removed

passkey-removed-subject = Aus Ihrem Konto wurde ein Passkey entfernt
passkey-removed-intro = Aus Ihrem Konto wurde soeben ein Passkey entfernt. Mit ihm ist keine Anmeldung mehr möglich.
passkey-removed-was-you = Waren Sie das? Dann müssen Sie nichts weiter tun.
passkey-removed-open-link = Waren Sie das nicht? Dann setzen Sie Ihr Passwort über diesen Link sofort zurück und prüfen Sie danach Ihre Passkeys und zweiten Schritte:
passkey-removed-reset = Waren Sie das nicht? Dann setzen Sie Ihr Passwort sofort zurück und prüfen Sie danach Ihre Passkeys und zweiten Schritte:
## sign-in-code

sign-in-code-subject = Ihr Anmeldecode
sign-in-code-intro = Mit diesem Code melden Sie sich bei Ihrem Konto an. Er gilt einmal, { $minutes } Minuten lang.
sign-in-code-never-share = Geben Sie ihn niemandem weiter: Wir werden Sie nie danach fragen.
sign-in-code-not-you = Sie haben das nicht angefordert? Dann hat jemand Ihre E-Mail-Adresse eingegeben. Ohne diesen Code kann er sich nicht anmelden, und Sie können diese E-Mail ignorieren.

## new-sign-in

new-sign-in-subject = Neue Anmeldung auf { $device }
new-sign-in-intro = Bei Ihrem Konto hat sich soeben ein Gerät angemeldet, auf dem es noch nie benutzt wurde: { $device }, am { $when }.
new-sign-in-was-you = Waren Sie das? Dann müssen Sie nichts weiter tun. In den Sicherheitseinstellungen Ihres Kontos sehen Sie Ihre letzten Aktivitäten und können Geräte abmelden.
new-sign-in-not-you = Waren Sie das nicht? Dann kennt jemand Ihr Passwort. Setzen Sie es sofort über „Passwort vergessen“ in Ihrer App zurück; damit werden alle Geräte abgemeldet.

## email-change

email-change-confirm-subject = Bestätigen Sie Ihre neue E-Mail-Adresse
email-change-confirm-intro = Sie möchten diese Adresse für Ihr Konto verwenden. Bestätigen Sie sie innerhalb von { $hours } Stunden mit diesem Code:
email-change-confirm-open-link = Oder bestätigen Sie sie über diesen Link:
email-change-confirm-one-click = Oder bestätigen Sie sie mit einem Klick:
email-change-confirm-button = Neue Adresse bestätigen
email-change-confirm-not-you = Nicht angefordert? Dann können Sie diese E-Mail ignorieren; das Konto behält seine Adresse.
email-change-notice-subject = Ihre E-Mail-Adresse wird geändert
email-change-notice-intro = Jemand möchte die E-Mail-Adresse Ihres Kontos in { $address } ändern. Es ändert sich nichts, solange die neue Adresse nicht bestätigt ist.
email-change-notice-was-you = Waren Sie das? Dann müssen Sie nichts weiter tun.
email-change-notice-open-link = Waren Sie das nicht? Dann öffnen Sie diesen Link: Er bricht die Änderung ab, meldet Sie überall ab und schickt Ihnen einen Link für ein neues Passwort:
email-change-notice-not-you = Waren Sie das nicht? Dann brechen Sie die Änderung ab: Sie werden überall abgemeldet und erhalten einen Link für ein neues Passwort.
email-change-notice-button = Das war ich nicht
email-changed-subject = Ihre E-Mail-Adresse wurde geändert
email-changed-intro = Ihr Konto verwendet jetzt die E-Mail-Adresse { $address }; E-Mails dazu kommen nicht mehr hierher.
email-changed-not-you = Waren Sie das nicht? Dann hat jemand Ihr Passwort und Ihr neues Postfach: Wenden Sie sich sofort an uns.
