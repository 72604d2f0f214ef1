# Registrar mails: fr. The templates (templates/<kind>.*) name these ids;
# { $name } is the addressee's name.

## shared

greeting-named = Bonjour { $name },
greeting = Bonjour,
code-label = Votre code :
button-fallback = Le bouton ne fonctionne pas ? Copiez ce lien dans votre navigateur :
choose-password-button = Choisir un nouveau mot de passe

## confirmation

confirmation-subject = Confirmez votre adresse e-mail
confirmation-enter-code = Veuillez confirmer votre adresse e-mail en saisissant ce code :
confirmation-open-link = Vous pouvez aussi la confirmer en ouvrant ce lien :
confirmation-not-you = Vous n'êtes pas à l'origine de cette demande ? Vous pouvez ignorer cet e-mail.
confirmation-one-click = Ou confirmez-la en un clic :
confirmation-button = Confirmer mon adresse e-mail

## signup-confirmation

signup-confirmation-subject = Confirmez votre nouveau compte
signup-confirmation-open-link = Merci pour votre inscription ! Pour activer votre compte, ouvrez ce lien :
signup-confirmation-code-hint = Si l'application dans laquelle vous vous êtes inscrit vous demande un code, saisissez celui-ci. Il confirme votre adresse ; pour activer votre compte, ouvrez le lien ci-dessus.
signup-confirmation-not-you = Vous n'êtes pas à l'origine de cette inscription ? Ignorez simplement cet e-mail : aucun compte ne sera activé.
signup-confirmation-intro = Merci pour votre inscription ! Pour activer votre compte, confirmez votre adresse e-mail.
signup-confirmation-button = Activer mon compte

## signup-attempt

signup-attempt-subject = Tentative d'inscription avec votre adresse e-mail
signup-attempt-intro = Quelqu'un (peut-être vous) a essayé de s'inscrire avec cette adresse e-mail, mais un compte existe déjà pour cette adresse.
signup-attempt-open-link = C'était vous ? Connectez-vous simplement. Mot de passe oublié ? Choisissez-en un nouveau via ce lien :
signup-attempt-not-you = Ce n'était pas vous ? Vous pouvez ignorer cet e-mail : votre compte n'a pas été modifié.
signup-attempt-choose = C'était vous ? Connectez-vous simplement. Mot de passe oublié ? Choisissez-en un nouveau :

## password-reset

password-reset-subject = Réinitialisez votre mot de passe
password-reset-open-link = Nous avons reçu une demande de réinitialisation de votre mot de passe. Choisissez-en un nouveau via ce lien, valable une heure :
password-reset-not-you = Vous n'avez rien demandé ? Ignorez cet e-mail : votre mot de passe reste inchangé.
password-reset-intro = Nous avons reçu une demande de réinitialisation de votre mot de passe. Choisissez-en un nouveau avec le bouton ci-dessous ; il reste valable une heure.

## password-changed

password-changed-subject = Votre mot de passe a été modifié
password-changed-intro = Le mot de passe de votre compte vient d'être modifié. Par sécurité, vos autres appareils ont été déconnectés.
password-changed-was-you = C'était vous ? Vous n'avez rien d'autre à faire.
password-changed-open-link = Ce n'était pas vous ? Réinitialisez immédiatement votre mot de passe via ce lien :
password-changed-reset = Ce n'était pas vous ? Réinitialisez immédiatement votre mot de passe :
password-changed-button = Réinitialiser mon mot de passe
