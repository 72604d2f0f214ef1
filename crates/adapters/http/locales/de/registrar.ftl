# Registrar API messages and page texts: de.
# Ids are the dotted keys the code names, with "-" for ".".

## error

error-method_not_allowed = Dieser Pfad nimmt diese Methode nicht an.
error-invalid_request = Der Inhalt der Anfrage konnte nicht gelesen werden.
error-validation_failed = Die angegebenen Daten sind ungültig.
error-invalid_client = Unbekannter Client.
error-invalid_grant = Benutzername, Passwort oder Token ist ungültig.
error-unsupported_grant_type = Dieser Grant-Typ wird nicht unterstützt.
error-invalid_token = Das Zugriffstoken fehlt, ist ungültig oder abgelaufen.
error-insufficient_scope = Das Zugriffstoken gewährt nicht den Geltungsbereich, den diese Anfrage braucht.
error-email_not_confirmed = Bitte bestätigen Sie zuerst Ihre E-Mail-Adresse.
error-account_disabled = Dieses Konto ist deaktiviert.
error-not_found = Nicht gefunden.
error-unsupported_media_type = Senden Sie den Inhalt als application/json oder application/x-www-form-urlencoded.
error-payload_too_large = Der Inhalt der Anfrage ist größer als 64 KiB.
error-headers_too_large = Die Kopfzeilen der Anfrage sind zu groß.
error-request_timeout = Der Inhalt der Anfrage ist nicht rechtzeitig angekommen.
error-invalid_reset_token = Dieser Link zum Zurücksetzen des Passworts ist ungültig, bereits benutzt oder abgelaufen. Fordern Sie einen neuen an.
error-client_auth_unreadable = Die Client-Authentifizierung (HTTP Basic) konnte nicht gelesen werden: Senden Sie die client_id als Benutzernamen mit leerem Passwort.
error-client_secret = Dieser Client hat kein Geheimnis: Senden Sie die client_id als HTTP-Basic-Benutzernamen mit leerem Passwort.
error-client_id_mismatch = Die client_id im Inhalt unterscheidet sich von der im Authorization-Header.
error-client_authentication = Die Client-Authentifizierung ist fehlgeschlagen: Ein vertraulicher Client sendet sein Geheimnis per HTTP Basic oder als client_secret.
error-client_auth_twice = Senden Sie das Client-Geheimnis nur einmal: per HTTP Basic oder als client_secret, nicht beides.
error-token_parameter_missing = Der Parameter token fehlt.
error-too_many_attempts = Zu viele Versuche. Bitte versuchen Sie es später erneut.
error-server_error = Bei uns ist etwas schiefgelaufen. Bitte versuchen Sie es später erneut.
error-mfa_required = Ein zweiter Faktor ist erforderlich: Senden Sie ihn mit dem mfa_token an /api/token (grant_type=mfa).
error-factor_enabled = Dieser Faktor ist bereits aktiviert. Entfernen Sie ihn zuerst, um einen neuen einzurichten.

## field

field-invalid_postal_code = Dies ist keine gültige Postleitzahl.
field-invalid_invite = Dieser Anmeldecode ist ungültig oder wurde bereits verwendet.
field-invalid_year_of_birth = Dies ist kein gültiges Geburtsjahr.
field-invalid_sector = Wählen Sie einen Sektorbuchstaben von A bis T.
field-invalid_usertype = Wählen Sie customer oder organisation.
field-not_an_integer = Dieses Feld muss eine ganze Zahl sein.
field-required = Dieses Feld ist erforderlich.
field-too_long = Dieses Feld darf höchstens { $max } Zeichen lang sein.
field-control_characters = Dieses Feld darf keine Steuerzeichen enthalten (Zeilenumbrüche, Tabulatoren, NUL).
field-invalid_email = Dies ist keine gültige E-Mail-Adresse.
field-email_taken = Diese E-Mail-Adresse ist bereits registriert.
field-password_too_short = Das Passwort muss mindestens { $min } Zeichen lang sein.
field-password_too_long = Das Passwort darf höchstens { $max } Zeichen lang sein.
field-password_too_common = Dieses Passwort ist zu verbreitet.
field-password_breached = Dieses Passwort ist in einem Datenleck aufgetaucht; bitte wählen Sie ein anderes.
field-password_equals_email = Das Passwort darf nicht Ihre E-Mail-Adresse sein.
field-password_unchanged = Das neue Passwort muss sich vom aktuellen unterscheiden.
field-password_incorrect = Das Passwort ist falsch.
field-invalid_telephone = Dies ist keine gültige internationale Telefonnummer, wie +32 475 00 00 00.
field-invalid_policy_id = Richtlinienversionen werden mit ganzen Zahlen angegeben.
field-unknown_policy = Es gibt keine Richtlinienversion { $id }.
field-policy_required = Die aktuelle Richtlinie { $type } muss akzeptiert werden.
field-not_a_list = Dieses Feld muss eine Liste sein.
field-too_many_items = Diese Liste darf höchstens { $max } Einträge haben.
field-invalid_language = Wählen Sie en, nl, fr, de oder es.
field-wrong_code = Dieser Code ist nicht der aktuelle Code Ihrer Authenticator-App.
field-one_factor = Geben Sie genau eines von code, recovery_code und credential an.
field-invalid_credential = Dies ist kein WebAuthn-Credential in JSON-Form.
field-unknown_ceremony = Dieser Vorgang ist unbekannt, abgeschlossen oder abgelaufen: Fordern Sie neue Optionen an.
field-credential_refused = Die Antwort des Authenticators wurde abgelehnt (andere Website, ungültige Signatur, keine Benutzerverifizierung oder ein bereits registrierter Passkey).

## users

users-login_incorrect = Benutzername oder Passwort ist falsch.
users-not_validated = Die E-Mail-Adresse ist nicht bestätigt
users-invalid = Die angegebenen Daten sind ungültig.
users-validated = Bestätigt
users-token_incorrect = Der Code ist falsch
users-already_validated = Die E-Mail-Adresse ist bereits bestätigt
users-no_account = Kein Konto mit dieser E-Mail-Adresse
users-too_many_attempts = Zu viele Versuche
users-mail_sent = E-Mail gesendet
users-server_error = Serverfehler

## users.rule

users-rule-required = { $attribute } muss ausgefüllt werden.
users-rule-email = { $attribute } muss eine gültige E-Mail-Adresse sein.
users-rule-max = { $attribute } darf maximal { $max } Zeichen haben.
users-rule-control_characters = Das Feld { $attribute } darf keine Steuerzeichen enthalten.
users-rule-integer = { $attribute } muss eine ganze Zahl sein.
users-rule-unique = { $attribute } ist bereits vergeben.
users-rule-password_min = { $attribute } muss mindestens { $min } Zeichen lang sein.
users-rule-password_common = { $attribute } ist zu verbreitet; bitte wählen Sie ein anderes.
users-rule-password_breached = { $attribute } ist in einem Datenleck aufgetaucht; bitte wählen Sie ein anderes.
users-rule-different_email = { $attribute } und E-Mail müssen sich unterscheiden.
users-rule-format = Das Format von { $attribute } ist ungültig.
users-rule-selected = Der gewählte Wert für { $attribute } ist ungültig.
users-rule-incorrect = { $attribute } ist falsch.
users-mfa_required = Ein zweiter Faktor ist erforderlich.

## page

page-confirmed_title = Adresse bestätigt
page-confirmed_text = Ihre E-Mail-Adresse ist bestätigt. Sie können diese Seite schließen und zu Ihrer App zurückkehren.
page-invalid_title = Link ungültig
page-invalid_text = Dieser Link ist ungültig, bereits benutzt oder abgelaufen. Fordern Sie in Ihrer App einen neuen an.
page-reset_title = Neues Passwort wählen
page-reset_text = Geben Sie Ihr neues Passwort zweimal ein.
page-reset_hint = Wählen Sie ein Passwort, das schwer zu erraten ist: lang, nicht gebräuchlich und nicht Ihre E-Mail-Adresse.
page-password_label = Neues Passwort
page-password_repeat_label = Neues Passwort wiederholen
page-submit = Passwort ändern
page-mismatch = Die Passwörter stimmen nicht überein.
page-form_expired = Das Formular ist abgelaufen. Bitte versuchen Sie es erneut.
page-form_unreadable = Das Formular konnte nicht gelesen werden. Bitte versuchen Sie es erneut.
page-reset_done_title = Passwort geändert
page-reset_done_text = Ihr Passwort wurde geändert und alle Sitzungen wurden abgemeldet. Melden Sie sich in Ihrer App mit dem neuen Passwort wieder an.
page-error_title = Etwas ist schiefgelaufen
page-error_text = Bei uns ist etwas schiefgelaufen. Bitte versuchen Sie es später erneut.
page-signup_title = Konto aktivieren
page-signup_text = Um Ihr Konto zu aktivieren, geben Sie Ihre Einwilligung. Sie können jetzt auch ein Passwort wählen; das ist freiwillig.
page-consent_label = Ich willige in die Verarbeitung meiner Kontodaten zur Erbringung des Dienstes ein.
page-consent_required = Ihre Einwilligung ist nötig, um Ihr Konto zu aktivieren.
page-signup_password_label = Passwort (freiwillig)
page-signup_password_repeat_label = Passwort wiederholen
page-signup_submit = Konto aktivieren
page-signup_hint = Wenn Sie ein Passwort wählen, sollte es schwer zu erraten sein: lang, nicht gebräuchlich und nicht Ihre E-Mail-Adresse.
page-signup_done_title = Konto aktiv
page-signup_done_text = Ihr Konto ist aktiv. Sie können sich jetzt in der App anmelden.
page-already_confirmed_text = Dieser Link wurde bereits verwendet: Ihre E-Mail-Adresse ist bestätigt. Sie können diese Seite schließen und zu Ihrer App zurückkehren.
page-signup_used_text = Dieser Link wurde bereits verwendet: Ihr Konto ist aktiv. Melden Sie sich in der App an; wenn Sie kein Passwort gewählt haben, fordern Sie eines mit „Passwort vergessen?“ in der App an.
page-signup_done_no_password_text = Ihr Konto ist aktiv, hat aber noch kein Passwort. Um sich anzumelden, wählen Sie eines: Nutzen Sie „Passwort vergessen?“ in der App mit dieser E-Mail-Adresse und öffnen Sie den Link, den wir Ihnen senden.

## typed

typed-token_required = Kein Token gesendet.
typed-token_in_resultset = Token ungültig oder bereits verwendet.
typed-email_required = Keine E-Mail-Adresse gesendet.
typed-email_email = E-Mail-Adresse ist ungültig.
typed-email_not_in_resultset = E-Mail-Adresse existiert bereits.
typed-postcode_required = Keine Postleitzahl gesendet.
typed-postcode_postcode = Postleitzahl ist ungültig
typed-password_required = Kein Passwort gesendet.
typed-password_too_short = Das Passwort muss mindestens { $min } Zeichen lang sein.
typed-password_too_long = Das Passwort darf höchstens { $max } Zeichen lang sein.
typed-password_too_common = Das Passwort ist zu verbreitet; bitte wählen Sie ein anderes.
typed-password_breached = Das Passwort ist in einem Datenleck aufgetaucht; bitte wählen Sie ein anderes.
typed-password_equals_email = Das Passwort darf nicht die E-Mail-Adresse sein.
typed-usertype_in = "usertype" ist ungültig.
typed-name_required = Kein Name gesendet oder leer.
typed-year_of_birth_required = Kein year_of_birth gesendet.
typed-year_of_birth_number = year_of_birth ist ungültig
typed-year_of_birth_gt_num = year_of_birth muss innerhalb der letzten 150 Jahre liegen
typed-year_of_birth_lt_num = year_of_birth muss mindestens 10 Jahre zurückliegen
typed-street_name_required = Kein street_name gesendet.
typed-town_required = Keine town gesendet.
typed-sector_required = Kein sector gesendet.
typed-sector_in = "sector" ist ungültig.
typed-too_long = { $field } darf höchstens { $max } Zeichen lang sein.
typed-control_characters = { $field } darf keine Steuerzeichen enthalten.
typed-success = Erfolgreich registriert
typed-server_error = Ein unbekannter Fehler ist aufgetreten.

## The OAuth pages: sign-in, consent, logout
page-authorize_error_title = Dieser Anmeldelink funktioniert nicht
page-authorize_missing_client = Die App, die Sie hierher geschickt hat, hat sich nicht ausgewiesen. Gehen Sie zurück zur App und versuchen Sie es erneut.
page-authorize_unknown_client = Die App, die Sie hierher geschickt hat, ist uns nicht bekannt. Gehen Sie zurück zur App und versuchen Sie es erneut.
page-authorize_missing_redirect_uri = Die App, die Sie hierher geschickt hat, hat nicht gesagt, wohin wir Sie zurückschicken sollen. Gehen Sie zurück zur App und versuchen Sie es erneut.
page-authorize_unregistered_redirect_uri = Die App, die Sie hierher geschickt hat, möchte Sie an eine Adresse zurückschicken, die sie nicht registriert hat; dorthin schicken wir Sie nicht.
page-error_code = Fehlercode: { $code }
page-signin_title = Anmelden
page-signin_text = Melden Sie sich an, um mit { $client } fortzufahren.
page-email_label = E-Mail-Adresse
page-signin_password_label = Passwort
page-signin_submit = Anmelden
page-signin_send_code = Stattdessen einen Anmeldecode per E-Mail senden
page-signin_passkey = Mit einem Passkey anmelden
page-passkey_failed = Der Passkey hat nicht funktioniert. Versuchen Sie es erneut oder melden Sie sich anders an.
page-forgot_link = Passwort vergessen?
page-signup_link = Konto erstellen
page-signin_missing = Geben Sie Ihre E-Mail-Adresse und Ihr Passwort ein.
page-signin_email_invalid = Geben Sie eine gültige E-Mail-Adresse ein.
page-signin_wrong = Die E-Mail-Adresse oder das Passwort ist falsch.
page-too_many_attempts = Zu viele Versuche. Versuchen Sie es in { $seconds } Sekunden erneut.
page-account_disabled = Dieses Konto ist deaktiviert.
page-email_not_confirmed = Bestätigen Sie zuerst Ihre E-Mail-Adresse: Öffnen Sie den Link, den wir Ihnen geschickt haben.
page-code_title = Sehen Sie in Ihre E-Mails
page-code_text = Wenn { $email } ein Konto hat, haben wir einen Anmeldecode dorthin geschickt. Geben Sie den Code hier ein.
page-code_label = Anmeldecode
page-code_resend = Neuen Code senden
page-code_wrong = Der Code ist falsch oder abgelaufen.
page-start_again = Neu beginnen
page-second_factor_title = Bestätigen Sie, dass Sie es sind
page-second_factor_text = Ihr Konto verlangt einen zweiten Schritt.
page-totp_label = Code aus Ihrer Authenticator-App
page-verify = Bestätigen
page-recovery_label = Oder ein Wiederherstellungscode
page-recovery_submit = Wiederherstellungscode verwenden
page-second_factor_passkey = Einen Passkey verwenden
page-second_factor_wrong = Der Code ist falsch, oder die Anmeldung hat zu lange gedauert: Beginnen Sie neu.
page-consent_title = Zugriff erlauben
page-consent_text = { $client } möchte:
page-consent_policies_text = Um fortzufahren, akzeptieren Sie diese Bedingungen:
page-consent_allow = Erlauben
page-consent_deny = Ablehnen
page-consent_hint = Sie können sich jederzeit von der App abmelden.
page-consent_policies_required = Kreuzen Sie jedes Kästchen an, um die Bedingungen zu akzeptieren, oder lehnen Sie ab.
page-scope_openid = Sie anmelden
page-scope_email = Ihre E-Mail-Adresse sehen
page-scope_profile = Ihren Namen und Ihre Sprache sehen
page-scope_phone = Ihre Telefonnummer sehen
page-scope_offline_access = angemeldet bleiben
page-logout_title = Von Registrar abmelden?
page-logout_text = Sie werden in diesem Browser abgemeldet.
page-logout_everywhere = Auch von den Apps abmelden, bei denen Sie sich in diesem Browser angemeldet haben
page-logout_submit = Abmelden
page-logout_error_title = Dieser Abmeldelink funktioniert nicht
page-logout_unknown_client = Die App, die Sie hierher geschickt hat, ist uns nicht bekannt.
page-logout_client_mismatch = Die App, die Sie hierher geschickt hat, passt nicht zu der Anmeldung, die sie nennt.
page-logout_unregistered_uri = Die App möchte Sie an eine Adresse schicken, die sie nicht registriert hat; dorthin schicken wir Sie nicht.
page-logout_done_title = Sie sind abgemeldet
page-logout_done_text = Sie sind in diesem Browser abgemeldet. Sie können diese Seite schließen.
page-back_to_signin = Zurück zur Anmeldung
page-forgot_title = Passwort vergessen?
page-forgot_text = Geben Sie Ihre E-Mail-Adresse ein: Wenn sie ein Konto hat, schicken wir Ihnen einen Link, um ein neues Passwort zu wählen.
page-forgot_submit = Link senden
page-forgot_sent_title = Sehen Sie in Ihre E-Mails
page-forgot_sent_text = Wenn { $email } ein Konto hat, haben wir einen Link dorthin geschickt, um ein neues Passwort zu wählen. Kommen Sie danach zurück und melden Sie sich an.
page-create_title = Konto erstellen
page-create_text = Geben Sie Ihre E-Mail-Adresse ein: Wir schicken Ihnen einen Link, um Ihr Konto zu aktivieren.
page-create_submit = Konto erstellen
page-create_sent_title = Sehen Sie in Ihre E-Mails
page-create_sent_text = Wir haben einen Link an { $email } geschickt. Öffnen Sie ihn, um Ihr Konto zu aktivieren, und kommen Sie dann zurück, um sich anzumelden.
page-create_not_offered = Konten werden hier nur auf Einladung erstellt.
