# Registrar API messages and page texts: nl.
# Ids are the dotted keys the code names, with "-" for ".".

## error

error-method_not_allowed = Dit pad aanvaardt die methode niet.
error-invalid_request = De inhoud van het verzoek kon niet gelezen worden.
error-validation_failed = De opgegeven gegevens zijn ongeldig.
error-invalid_client = Onbekende client.
error-invalid_grant = De gebruikersnaam, het wachtwoord of de token is niet geldig.
error-unsupported_grant_type = Dit grant type wordt niet ondersteund.
error-invalid_token = De access token ontbreekt, is ongeldig of is verlopen.
error-insufficient_scope = De access token geeft niet de scope die dit verzoek nodig heeft.
error-email_not_confirmed = Bevestig eerst je e-mailadres.
error-account_disabled = Dit account is uitgeschakeld.
error-not_found = Niet gevonden.
error-unsupported_media_type = Stuur de inhoud als application/json of application/x-www-form-urlencoded.
error-payload_too_large = De inhoud van het verzoek is groter dan 64 KiB.
error-headers_too_large = De headers van het verzoek zijn te groot.
error-request_timeout = De inhoud van het verzoek kwam niet op tijd aan.
error-invalid_reset_token = Deze link om je wachtwoord opnieuw in te stellen is ongeldig, al gebruikt of verlopen. Vraag een nieuwe aan.
error-client_auth_unreadable = De clientauthenticatie (HTTP Basic) kon niet gelezen worden: stuur de client_id als gebruikersnaam met een leeg wachtwoord.
error-client_secret = Deze client heeft geen geheim: stuur de client_id als HTTP Basic-gebruikersnaam met een leeg wachtwoord.
error-client_id_mismatch = De client_id in de inhoud verschilt van die in de Authorization-header.
error-client_authentication = Clientauthenticatie mislukt: een vertrouwelijke client stuurt zijn geheim, via HTTP Basic of als client_secret.
error-client_auth_twice = Stuur het clientgeheim één keer: via HTTP Basic of als client_secret, niet allebei.
error-token_parameter_missing = De parameter token ontbreekt.
error-too_many_attempts = Te veel pogingen. Probeer het later opnieuw.
error-server_error = Er ging bij ons iets mis. Probeer het later opnieuw.
error-mfa_required = Een tweede factor is vereist: stuur die met de mfa_token naar /api/token (grant_type=mfa).
error-factor_enabled = Deze factor is al ingeschakeld. Verwijder hem eerst om een nieuwe in te stellen.

## field

field-invalid_postal_code = Dit is geen geldige postcode.
field-invalid_invite = Deze aanmeldcode is ongeldig of al gebruikt.
field-invalid_year_of_birth = Dit is geen geldig geboortejaar.
field-invalid_sector = Kies een sectorletter van A tot T.
field-invalid_usertype = Kies customer of organisation.
field-not_an_integer = Dit veld moet een geheel getal zijn.
field-required = Dit veld is verplicht.
field-too_long = Dit veld mag niet langer zijn dan { $max } tekens.
field-control_characters = Dit veld mag geen stuurtekens bevatten (regeleinden, tabs, NUL).
field-invalid_email = Dit is geen geldig e-mailadres.
field-email_taken = Dit e-mailadres is al geregistreerd.
field-password_too_short = Het wachtwoord moet minstens { $min } tekens lang zijn.
field-password_too_long = Het wachtwoord mag niet langer zijn dan { $max } tekens.
field-password_too_common = Dit wachtwoord komt te vaak voor.
field-password_breached = Dit wachtwoord is uitgelekt bij een datalek; kies een ander.
field-password_equals_email = Het wachtwoord mag niet je e-mailadres zijn.
field-password_unchanged = Het nieuwe wachtwoord moet verschillen van het huidige.
field-password_incorrect = Het wachtwoord is onjuist.
field-invalid_telephone = Dit is geen geldig internationaal telefoonnummer, zoals +32 475 00 00 00.
field-invalid_policy_id = Id's van beleidsversies zijn gehele getallen.
field-unknown_policy = Er bestaat geen beleidsversie { $id }.
field-policy_required = Het huidige { $type }-beleid moet aanvaard worden.
field-not_a_list = Dit veld moet een lijst zijn.
field-too_many_items = Deze lijst mag hoogstens { $max } elementen bevatten.
field-invalid_language = Kies uit en, nl, fr, de, es.
field-wrong_code = Deze code is niet de huidige code van je authenticator-app.
field-one_factor = Geef precies één van code, recovery_code en credential.
field-invalid_credential = Dit is geen WebAuthn-credential in JSON-vorm.
field-unknown_ceremony = Deze ceremonie is onbekend, afgerond of verlopen: vraag nieuwe opties aan.
field-credential_refused = Het antwoord van de authenticator is geweigerd (een andere site, een ongeldige handtekening, geen gebruikersverificatie of een passkey die al geregistreerd is).

## users

users-login_incorrect = De gebruikersnaam of het wachtwoord is onjuist.
users-not_validated = Het e-mailadres is niet gevalideerd
users-invalid = De opgegeven gegevens zijn ongeldig.
users-validated = Gevalideerd
users-token_incorrect = Token is onjuist
users-already_validated = Het e-mailadres is al gevalideerd
users-no_account = Geen account met dit e-mailadres
users-too_many_attempts = Te veel pogingen
users-mail_sent = Mail verzonden
users-server_error = Serverfout

## users.rule

users-rule-required = Het { $attribute } veld is verplicht.
users-rule-email = Het { $attribute } moet een geldig e-mailadres zijn.
users-rule-max = Het { $attribute } mag niet meer dan { $max } tekens bevatten.
users-rule-control_characters = Het { $attribute } veld mag geen stuurtekens bevatten.
users-rule-integer = Het { $attribute } moet een geheel getal zijn.
users-rule-unique = Het { $attribute } is al in gebruik.
users-rule-password_min = Het { $attribute } moet minimaal { $min } tekens lang zijn.
users-rule-password_common = Het { $attribute } komt te vaak voor; kies een ander.
users-rule-password_breached = Het { $attribute } is uitgelekt bij een datalek; kies een ander.
users-rule-different_email = Het { $attribute } en het e-mailadres moeten verschillen.
users-rule-format = Het formaat van { $attribute } is ongeldig.
users-rule-selected = Het gekozen { $attribute } is ongeldig.
users-rule-incorrect = Het { $attribute } is onjuist.
users-mfa_required = Een tweede factor is vereist.

## page

page-confirmed_title = Adres bevestigd
page-confirmed_text = Je e-mailadres is bevestigd. Je kunt deze pagina sluiten en teruggaan naar je app.
page-invalid_title = Link niet geldig
page-invalid_text = Deze link is ongeldig, al gebruikt of verlopen. Vraag een nieuwe aan in je app.
page-reset_title = Kies een nieuw wachtwoord
page-reset_text = Typ je nieuwe wachtwoord twee keer.
page-reset_hint = Kies een wachtwoord dat moeilijk te raden is: lang, niet veelgebruikt en niet je e-mailadres.
page-password_label = Nieuw wachtwoord
page-password_repeat_label = Herhaal het nieuwe wachtwoord
page-submit = Wachtwoord wijzigen
page-mismatch = De wachtwoorden komen niet overeen.
page-form_expired = Het formulier is verlopen. Probeer het opnieuw.
page-form_unreadable = Het formulier kon niet worden gelezen. Probeer het opnieuw.
page-reset_done_title = Wachtwoord gewijzigd
page-reset_done_text = Je wachtwoord is gewijzigd en je bent overal afgemeld. Log opnieuw in je app in met je nieuwe wachtwoord.
page-error_title = Er ging iets mis
page-error_text = Er ging bij ons iets mis. Probeer het later opnieuw.
page-signup_title = Activeer je account
page-signup_text = Geef je toestemming om je account te activeren. Je kunt nu ook een wachtwoord kiezen; dat is niet verplicht.
page-consent_label = Ik geef toestemming voor de verwerking van mijn accountgegevens om de dienst te leveren.
page-consent_required = Je toestemming is nodig om je account te activeren.
page-signup_password_label = Wachtwoord (optioneel)
page-signup_password_repeat_label = Herhaal het wachtwoord
page-signup_submit = Account activeren
page-signup_hint = Kies je een wachtwoord, maak het dan moeilijk te raden: lang, niet veelgebruikt en niet je e-mailadres.
page-signup_done_title = Account actief
page-signup_done_text = Je account is actief. Je kunt nu inloggen in de app.
page-already_confirmed_text = Deze link is al gebruikt: je e-mailadres is bevestigd. Je kunt deze pagina sluiten en teruggaan naar je app.
page-signup_used_text = Deze link is al gebruikt: je account is actief. Log in in de app; heb je geen wachtwoord gekozen, vraag er dan een aan met „Wachtwoord vergeten?” in de app.
page-signup_done_no_password_text = Je account is actief, maar heeft nog geen wachtwoord. Kies er een om in te loggen: gebruik „Wachtwoord vergeten?” in de app met dit e-mailadres en open de link die we je mailen.

## typed

typed-token_required = Geen token verzonden.
typed-token_in_resultset = Token ongeldig of al gebruikt.
typed-email_required = Geen e-mailadres verzonden.
typed-email_email = E-mailadres is ongeldig.
typed-email_not_in_resultset = E-mailadres bestaat al.
typed-postcode_required = Geen postcode verzonden.
typed-postcode_postcode = Postcode is ongeldig
typed-password_required = Geen wachtwoord verzonden.
typed-password_too_short = Wachtwoord moet minstens { $min } tekens lang zijn.
typed-password_too_long = Wachtwoord mag hoogstens { $max } tekens lang zijn.
typed-password_too_common = Wachtwoord komt te vaak voor; kies een ander.
typed-password_breached = Wachtwoord is uitgelekt bij een datalek; kies een ander.
typed-password_equals_email = Wachtwoord mag niet het e-mailadres zijn.
typed-usertype_in = "usertype" is ongeldig.
typed-name_required = Geen naam verzonden of leeg.
typed-year_of_birth_required = Geen year_of_birth verzonden.
typed-year_of_birth_number = year_of_birth is ongeldig
typed-year_of_birth_gt_num = year_of_birth moet binnen de laatste 150 jaar liggen
typed-year_of_birth_lt_num = year_of_birth moet minstens 10 jaar geleden zijn
typed-street_name_required = Geen street_name verzonden.
typed-town_required = Geen town verzonden.
typed-sector_required = Geen sector verzonden.
typed-sector_in = "sector" is ongeldig.
typed-too_long = { $field } mag niet langer zijn dan { $max } tekens.
typed-control_characters = { $field } mag geen stuurtekens bevatten.
typed-success = Succesvol geregistreerd
typed-server_error = Er is een onbekende fout opgetreden.

## The OAuth pages: sign-in, consent, logout
page-authorize_error_title = Deze aanmeldlink werkt niet
page-authorize_missing_client = De app die u hierheen stuurde, zei niet wie hij is. Ga terug naar de app en probeer het opnieuw.
page-authorize_unknown_client = De app die u hierheen stuurde, kennen we niet. Ga terug naar de app en probeer het opnieuw.
page-authorize_missing_redirect_uri = De app die u hierheen stuurde, zei niet waarheen we u terug moeten sturen. Ga terug naar de app en probeer het opnieuw.
page-authorize_unregistered_redirect_uri = De app die u hierheen stuurde, vraagt u terug te sturen naar een adres dat hij niet heeft geregistreerd; daarheen sturen we u niet.
page-error_code = Foutcode: { $code }
page-signin_title = Aanmelden
page-signin_text = Meld u aan om door te gaan naar { $client }.
page-email_label = E-mailadres
page-signin_password_label = Wachtwoord
page-signin_submit = Aanmelden
page-signin_send_code = Mail me liever een aanmeldcode
page-signin_passkey = Aanmelden met een passkey
page-passkey_failed = De passkey werkte niet. Probeer het opnieuw of meld u op een andere manier aan.
page-forgot_link = Wachtwoord vergeten?
page-signup_link = Account aanmaken
page-signin_missing = Typ uw e-mailadres en uw wachtwoord.
page-signin_email_invalid = Typ een geldig e-mailadres.
page-signin_wrong = Het e-mailadres of het wachtwoord is fout.
page-too_many_attempts = Te veel pogingen. Probeer het over { $seconds } seconden opnieuw.
page-account_disabled = Dit account is uitgeschakeld.
page-email_not_confirmed = Bevestig eerst uw e-mailadres: open de link die we u mailden.
page-code_title = Kijk in uw e-mail
page-code_text = Als { $email } een account heeft, hebben we er een aanmeldcode naartoe gestuurd. Typ de code hier.
page-code_label = Aanmeldcode
page-code_resend = Stuur een nieuwe code
page-code_wrong = De code is fout of verlopen.
page-start_again = Opnieuw beginnen
page-second_factor_title = Bevestig dat u het bent
page-second_factor_text = Uw account vraagt een tweede stap.
page-totp_label = Code uit uw authenticator-app
page-verify = Bevestigen
page-recovery_label = Of een herstelcode
page-recovery_submit = De herstelcode gebruiken
page-second_factor_passkey = Een passkey gebruiken
page-second_factor_wrong = De code is fout, of het aanmelden duurde te lang: begin opnieuw.
page-consent_title = Toegang geven
page-consent_text = { $client } vraagt om:
page-consent_policies_text = Aanvaard deze voorwaarden om door te gaan:
page-consent_allow = Toestaan
page-consent_deny = Weigeren
page-consent_hint = U kunt zich op elk moment afmelden bij de app.
page-consent_policies_required = Vink elk vakje aan om de voorwaarden te aanvaarden, of weiger.
page-scope_openid = u aanmelden
page-scope_email = uw e-mailadres zien
page-scope_profile = uw naam en taal zien
page-scope_phone = uw telefoonnummer zien
page-scope_offline_access = aangemeld blijven
page-logout_title = Afmelden bij Registrar?
page-logout_text = U wordt afgemeld in deze browser.
page-logout_everywhere = Ook afmelden bij de apps waarbij u zich vanuit deze browser aanmeldde
page-logout_submit = Afmelden
page-logout_error_title = Deze afmeldlink werkt niet
page-logout_unknown_client = De app die u hierheen stuurde, kennen we niet.
page-logout_client_mismatch = De app die u hierheen stuurde, past niet bij de aanmelding die hij noemt.
page-logout_unregistered_uri = De app vraagt u naar een adres te sturen dat hij niet heeft geregistreerd; daarheen sturen we u niet.
page-logout_done_title = U bent afgemeld
page-logout_done_text = U bent afgemeld in deze browser. U kunt deze pagina sluiten.
page-back_to_signin = Terug naar aanmelden
page-forgot_title = Wachtwoord vergeten?
page-forgot_text = Typ uw e-mailadres: als het een account heeft, mailen we u een link om een nieuw wachtwoord te kiezen.
page-forgot_submit = Mail me een link
page-forgot_sent_title = Kijk in uw e-mail
page-forgot_sent_text = Als { $email } een account heeft, mailden we er een link naartoe om een nieuw wachtwoord te kiezen. Kom daarna terug om u aan te melden.
page-create_title = Account aanmaken
page-create_text = Typ uw e-mailadres: we mailen u een link om uw account te activeren.
page-create_submit = Account aanmaken
page-create_sent_title = Kijk in uw e-mail
page-create_sent_text = We mailden een link naar { $email }. Open hem om uw account te activeren en kom daarna terug om u aan te melden.
page-create_not_offered = Accounts worden hier alleen op uitnodiging aangemaakt.
