# Registrar mails: nl. The templates (templates/<kind>.*) name these ids;
# { $name } is the addressee's name.

## shared

greeting-named = Hallo { $name },
greeting = Hallo,
code-label = Je code:
button-fallback = Werkt de knop niet? Kopieer dan deze link naar je browser:
choose-password-button = Kies een nieuw wachtwoord
reset-password-button = Stel een nieuw wachtwoord in

## confirmation

confirmation-subject = Bevestig je e-mailadres
confirmation-enter-code = Bevestig je e-mailadres door deze code in te voeren:
confirmation-open-link = Of bevestig het door deze link te openen:
confirmation-not-you = Heb je hier niet om gevraagd? Dan kun je deze e-mail gewoon negeren.
confirmation-one-click = Of bevestig het met één klik:
confirmation-button = Bevestig mijn e-mailadres

## signup-confirmation

signup-confirmation-subject = Bevestig je nieuwe account
signup-confirmation-open-link = Bedankt voor je aanmelding! Open deze link om je account te activeren:
signup-confirmation-code-hint = Vraagt de app waarin je je aanmeldde om een code? Typ deze dan daar in. Die bevestigt je e-mailadres; om je account te activeren open je de link hierboven.
signup-confirmation-not-you = Heb je je niet aangemeld? Dan kun je deze e-mail negeren; er wordt geen account geactiveerd.
signup-confirmation-intro = Bedankt voor je aanmelding! Bevestig je e-mailadres om je account te activeren.
signup-confirmation-button = Activeer mijn account

## signup-attempt

signup-attempt-subject = Iemand probeerde zich aan te melden met je e-mailadres
signup-attempt-intro = Iemand (misschien jij) probeerde zich aan te melden met dit e-mailadres, maar er bestaat al een account voor dit adres.
signup-attempt-open-link = Was jij dat? Dan kun je gewoon inloggen. Wachtwoord vergeten? Kies een nieuw wachtwoord via deze link:
signup-attempt-not-you = Was jij het niet? Dan kun je deze e-mail negeren; er is niets aan je account veranderd.
signup-attempt-choose = Was jij dat? Dan kun je gewoon inloggen. Wachtwoord vergeten? Kies een nieuw wachtwoord:

## password-reset

password-reset-subject = Kies een nieuw wachtwoord
password-reset-open-link = We hebben een verzoek ontvangen om je wachtwoord opnieuw in te stellen. Kies een nieuw wachtwoord via deze link; hij is één uur geldig:
password-reset-not-you = Heb je hier niet om gevraagd? Dan kun je deze e-mail negeren; je wachtwoord blijft ongewijzigd.
password-reset-intro = We hebben een verzoek ontvangen om je wachtwoord opnieuw in te stellen. Kies een nieuw wachtwoord met de knop hieronder; hij werkt één uur.

## password-changed

password-changed-subject = Je wachtwoord is gewijzigd
password-changed-intro = Het wachtwoord van je account is zojuist gewijzigd. Voor je veiligheid ben je op je andere apparaten uitgelogd.
password-changed-was-you = Was jij dit? Dan hoef je verder niets te doen.
password-changed-open-link = Was jij het niet? Stel dan meteen een nieuw wachtwoord in via deze link:
password-changed-reset = Was jij het niet? Stel dan meteen een nieuw wachtwoord in:

## totp-enabled

totp-enabled-subject = Tweestapsverificatie staat aan
totp-enabled-intro = Tweestapsverificatie is zojuist aangezet voor je account. Voortaan vragen we bij het inloggen na je wachtwoord ook een code uit je authenticator-app.
totp-enabled-keep-codes = Bewaar je herstelcodes op een veilige plek: met elk ervan kun je één keer inloggen als je je telefoon kwijt bent.
totp-enabled-open-link = Was jij het niet? Dan kent iemand je wachtwoord. Stel meteen een nieuw wachtwoord in via deze link en neem daarna contact op met de support om de authenticator-app te laten verwijderen:
totp-enabled-reset = Was jij het niet? Dan kent iemand je wachtwoord. Stel meteen een nieuw wachtwoord in en neem daarna contact op met de support om de authenticator-app te laten verwijderen:

## totp-disabled

totp-disabled-subject = Tweestapsverificatie staat uit
totp-disabled-intro = Tweestapsverificatie is zojuist uitgezet voor je account, en je herstelcodes werken niet meer. Bij het inloggen vragen we nu alleen nog je wachtwoord.
totp-disabled-was-you = Was jij dit, of heb je erom gevraagd? Dan hoef je verder niets te doen. Je kunt het altijd weer aanzetten in de beveiligingsinstellingen van je account.
totp-disabled-open-link = Was jij het niet? Stel dan meteen een nieuw wachtwoord in via deze link en zet tweestapsverificatie weer aan:
totp-disabled-reset = Was jij het niet? Stel dan meteen een nieuw wachtwoord in en zet tweestapsverificatie weer aan:

## recovery-code-used

recovery-code-used-subject = Er is ingelogd met een herstelcode
recovery-code-used-intro = Op { $when } is er met een van je herstelcodes ingelogd op je account. Die code werkt nu niet meer.
recovery-code-used-new-codes = Was jij dit? Ben je je authenticator-app kwijt of heb je nog maar weinig codes over, maak dan nieuwe herstelcodes aan (of stel de app opnieuw in) in de beveiligingsinstellingen van je account.
recovery-code-used-open-link = Was jij het niet? Dan kent iemand je wachtwoord en een van je herstelcodes. Stel meteen een nieuw wachtwoord in via deze link en maak daarna nieuwe herstelcodes aan:
recovery-code-used-reset = Was jij het niet? Dan kent iemand je wachtwoord en een van je herstelcodes. Stel meteen een nieuw wachtwoord in en maak daarna nieuwe herstelcodes aan:

## passkey-added

passkey-added-subject = Er is een passkey aan je account toegevoegd
passkey-added-intro = Er is zojuist een passkey aan je account toegevoegd. Daarmee kun je inloggen zonder wachtwoord, en hij telt als tweede stap wanneer je met je wachtwoord inlogt.
passkey-added-was-you = Was jij dit? Dan hoef je verder niets te doen. In de beveiligingsinstellingen van je account kun je je passkeys bekijken, hernoemen en verwijderen.
passkey-added-open-link = Was jij het niet? Dan kan iemand op je account inloggen. Stel meteen een nieuw wachtwoord in via deze link en verwijder daarna de passkey die je niet kent:
passkey-added-reset = Was jij het niet? Dan kan iemand op je account inloggen. Stel meteen een nieuw wachtwoord in en verwijder daarna de passkey die je niet kent:

## passkey-removed

passkey-removed-subject = Er is een passkey van je account verwijderd
passkey-removed-intro = Er is zojuist een passkey van je account verwijderd. Daarmee kun je niet meer inloggen.
passkey-removed-was-you = Was jij dit? Dan hoef je verder niets te doen.
passkey-removed-open-link = Was jij het niet? Stel dan meteen een nieuw wachtwoord in via deze link en controleer je passkeys en tweede stappen:
passkey-removed-reset = Was jij het niet? Stel dan meteen een nieuw wachtwoord in en controleer je passkeys en tweede stappen:
## sign-in-code

sign-in-code-subject = Je inlogcode
sign-in-code-intro = Log met deze code in op je account. Hij werkt één keer, { $minutes } minuten lang.
sign-in-code-never-share = Deel hem met niemand: wij vragen je er nooit naar.
sign-in-code-not-you = Heb je hier niet om gevraagd? Dan heeft iemand je e-mailadres ingetypt. Zonder deze code kan die niet inloggen, en je kunt deze e-mail negeren.

## new-sign-in

new-sign-in-subject = Nieuwe aanmelding op { $device }
new-sign-in-intro = Er is zojuist op je account aangemeld vanaf een apparaat waarop het nog nooit is gebruikt: { $device }, op { $when }.
new-sign-in-was-you = Was jij dit? Dan hoef je niets te doen. In de beveiligingsinstellingen van je account zie je je recente activiteit en kun je apparaten afmelden.
new-sign-in-not-you = Was jij het niet? Dan kent iemand je wachtwoord. Stel het meteen opnieuw in met "Wachtwoord vergeten" in de app die je gebruikt; daarmee worden alle apparaten afgemeld.

## email-change

email-change-confirm-subject = Bevestig uw nieuwe e-mailadres
email-change-confirm-intro = U vroeg om dit adres voor uw account te gebruiken. Bevestig het door binnen { $hours } uur deze code in te voeren:
email-change-confirm-open-link = Of bevestig het door deze link te openen:
email-change-confirm-one-click = Of bevestig het met één klik:
email-change-confirm-button = Mijn nieuwe adres bevestigen
email-change-confirm-not-you = Niet gevraagd? Dan kunt u deze e-mail gerust negeren; het account houdt zijn adres.
email-change-notice-subject = Uw e-mailadres wordt gewijzigd
email-change-notice-intro = Iemand vroeg om het e-mailadres van uw account te wijzigen in { $address }. Er verandert niets zolang het nieuwe adres niet is bevestigd.
email-change-notice-was-you = Was u dit? Dan hoeft u niets meer te doen.
email-change-notice-open-link = Was u dit niet? Open dan deze link: die annuleert de wijziging, meldt u overal af en stuurt u een link om een nieuw wachtwoord te kiezen:
email-change-notice-not-you = Was u dit niet? Annuleer dan de wijziging: u wordt overal afgemeld en krijgt een link om een nieuw wachtwoord te kiezen.
email-change-notice-button = Dit was ik niet
email-changed-subject = Uw e-mailadres is gewijzigd
email-changed-intro = Uw account gebruikt nu het e-mailadres { $address }; e-mail erover komt niet meer hier.
email-changed-not-you = Was u dit niet? Dan heeft iemand uw wachtwoord en uw nieuwe mailbox: neem meteen contact met ons op.
