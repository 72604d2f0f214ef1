# Registrar mails: fr. The templates (templates/<kind>.*) name these ids;
# { $name } is the addressee's name.

## shared

greeting-named = Bonjour { $name },
greeting = Bonjour,
code-label = Votre code :
button-fallback = Le bouton ne fonctionne pas ? Copiez ce lien dans votre navigateur :
choose-password-button = Choisir un nouveau mot de passe
reset-password-button = Réinitialiser mon mot de passe

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

## totp-enabled

totp-enabled-subject = La validation en deux étapes est activée
totp-enabled-intro = La validation en deux étapes vient d'être activée pour votre compte. Désormais, après votre mot de passe, la connexion demandera aussi un code de votre application d'authentification.
totp-enabled-keep-codes = Conservez vos codes de récupération en lieu sûr : chacun vous permet de vous connecter une fois si vous perdez votre téléphone.
totp-enabled-open-link = Ce n'était pas vous ? Quelqu'un connaît alors votre mot de passe. Réinitialisez-le immédiatement via ce lien, puis contactez le support pour faire retirer l'application d'authentification :
totp-enabled-reset = Ce n'était pas vous ? Quelqu'un connaît alors votre mot de passe. Réinitialisez-le immédiatement, puis contactez le support pour faire retirer l'application d'authentification :

## totp-disabled

totp-disabled-subject = La validation en deux étapes est désactivée
totp-disabled-intro = La validation en deux étapes vient d'être désactivée pour votre compte, et vos codes de récupération ne fonctionnent plus. La connexion ne demande plus que votre mot de passe.
totp-disabled-was-you = C'était vous, ou vous l'aviez demandé ? Vous n'avez rien d'autre à faire. Vous pouvez la réactiver à tout moment dans les paramètres de sécurité de votre compte.
totp-disabled-open-link = Ce n'était pas vous ? Réinitialisez immédiatement votre mot de passe via ce lien, puis réactivez la validation en deux étapes :
totp-disabled-reset = Ce n'était pas vous ? Réinitialisez immédiatement votre mot de passe, puis réactivez la validation en deux étapes :

## recovery-code-used

recovery-code-used-subject = Un code de récupération a servi à vous connecter
recovery-code-used-intro = L'un de vos codes de récupération a été utilisé pour se connecter à votre compte le { $when }. Ce code ne fonctionne plus.
recovery-code-used-new-codes = C'était vous ? Si vous avez perdu votre application d'authentification ou qu'il vous reste peu de codes, créez de nouveaux codes de récupération (ou configurez à nouveau l'application) dans les paramètres de sécurité de votre compte.
recovery-code-used-open-link = Ce n'était pas vous ? Quelqu'un connaît alors votre mot de passe et l'un de vos codes de récupération. Réinitialisez immédiatement votre mot de passe via ce lien, puis créez de nouveaux codes de récupération :
recovery-code-used-reset = Ce n'était pas vous ? Quelqu'un connaît alors votre mot de passe et l'un de vos codes de récupération. Réinitialisez immédiatement votre mot de passe, puis créez de nouveaux codes de récupération :

## passkey-added

passkey-added-subject = Une clé d'accès a été ajoutée à votre compte
passkey-added-intro = Une clé d'accès (passkey) vient d'être ajoutée à votre compte. Elle permet de vous connecter sans mot de passe, et sert de deuxième étape quand vous vous connectez avec votre mot de passe.
passkey-added-was-you = C'était vous ? Vous n'avez rien d'autre à faire. Vous pouvez voir, renommer et supprimer vos clés d'accès dans les paramètres de sécurité de votre compte.
passkey-added-open-link = Ce n'était pas vous ? Quelqu'un peut alors se connecter à votre compte. Réinitialisez immédiatement votre mot de passe via ce lien, puis supprimez la clé d'accès que vous ne connaissez pas :
passkey-added-reset = Ce n'était pas vous ? Quelqu'un peut alors se connecter à votre compte. Réinitialisez immédiatement votre mot de passe, puis supprimez la clé d'accès que vous ne connaissez pas :

## passkey-removed

passkey-removed-subject = Une clé d'accès a été supprimée de votre compte
passkey-removed-intro = Une clé d'accès vient d'être supprimée de votre compte. Elle ne permet plus de vous connecter.
passkey-removed-was-you = C'était vous ? Vous n'avez rien d'autre à faire.
passkey-removed-open-link = Ce n'était pas vous ? Réinitialisez immédiatement votre mot de passe via ce lien, puis vérifiez vos clés d'accès et vos deuxièmes étapes :
passkey-removed-reset = Ce n'était pas vous ? Réinitialisez immédiatement votre mot de passe, puis vérifiez vos clés d'accès et vos deuxièmes étapes :
## sign-in-code

sign-in-code-subject = Votre code de connexion
sign-in-code-intro = Utilisez ce code pour vous connecter à votre compte. Il fonctionne une seule fois, pendant { $minutes } minutes.
sign-in-code-never-share = Ne le communiquez à personne : nous ne vous le demanderons jamais.
sign-in-code-not-you = Vous n'êtes pas à l'origine de cette demande ? Quelqu'un a saisi votre adresse e-mail. Sans ce code, il ne peut pas se connecter, et vous pouvez ignorer cet e-mail.

## new-sign-in

new-sign-in-subject = Nouvelle connexion sur { $device }
new-sign-in-intro = Quelqu’un vient de se connecter à votre compte depuis un appareil jamais utilisé auparavant : { $device }, le { $when }.
new-sign-in-was-you = C’était vous ? Vous n’avez rien d’autre à faire. Les paramètres de sécurité de votre compte montrent votre activité récente et permettent de déconnecter des appareils.
new-sign-in-not-you = Si ce n’était pas vous, quelqu’un connaît votre mot de passe. Réinitialisez-le tout de suite avec « Mot de passe oublié » dans l’application que vous utilisez ; tous les appareils seront déconnectés.

## email-change

email-change-confirm-subject = Confirmez votre nouvelle adresse e-mail
email-change-confirm-intro = Vous avez demandé à utiliser cette adresse pour votre compte. Confirmez-la en saisissant ce code dans les { $hours } heures :
email-change-confirm-open-link = Ou confirmez-la en ouvrant ce lien :
email-change-confirm-one-click = Ou confirmez-la en un clic :
email-change-confirm-button = Confirmer ma nouvelle adresse
email-change-confirm-not-you = Vous n’avez rien demandé ? Ignorez simplement cet e-mail ; le compte garde son adresse.
email-change-notice-subject = Votre adresse e-mail va être modifiée
email-change-notice-intro = Quelqu’un a demandé à remplacer l’adresse e-mail de votre compte par { $address }. Rien ne change tant que la nouvelle adresse n’est pas confirmée.
email-change-notice-was-you = C’était vous ? Vous n’avez rien d’autre à faire.
email-change-notice-open-link = Si ce n’était pas vous, ouvrez ce lien : il annule la modification, vous déconnecte partout et vous envoie un lien pour choisir un nouveau mot de passe :
email-change-notice-not-you = Si ce n’était pas vous, annulez la modification : vous serez déconnecté partout et recevrez un lien pour choisir un nouveau mot de passe.
email-change-notice-button = Ce n’était pas moi
email-changed-subject = Votre adresse e-mail a été modifiée
email-changed-intro = Votre compte utilise désormais l’adresse e-mail { $address } ; les e-mails à son sujet n’arrivent plus ici.
email-changed-not-you = Si ce n’était pas vous, quelqu’un a votre mot de passe et votre nouvelle boîte : contactez-nous immédiatement.
