# Registrar API messages and page texts: fr.
# Ids are the dotted keys the code names, with "-" for ".".

## error

error-method_not_allowed = Ce chemin n'accepte pas cette méthode.
error-invalid_request = Le corps de la requête n'a pas pu être lu.
error-validation_failed = Les données fournies ne sont pas valides.
error-invalid_client = Client inconnu.
error-invalid_grant = Le nom d'utilisateur, le mot de passe ou le jeton n'est pas valide.
error-unsupported_grant_type = Ce type d'autorisation n'est pas pris en charge.
error-invalid_token = Le jeton d'accès est absent, invalide ou expiré.
error-insufficient_scope = Le jeton d'accès n'accorde pas la portée dont cette requête a besoin.
error-email_not_confirmed = Veuillez d'abord confirmer votre adresse e-mail.
error-account_disabled = Ce compte est désactivé.
error-not_found = Introuvable.
error-unsupported_media_type = Envoyez le corps en application/json ou application/x-www-form-urlencoded.
error-payload_too_large = Le corps de la requête dépasse 64 Kio.
error-headers_too_large = Les en-têtes de la requête sont trop grands.
error-request_timeout = Le corps de la requête n'est pas arrivé à temps.
error-invalid_reset_token = Ce lien de réinitialisation du mot de passe est invalide, déjà utilisé ou expiré. Demandez-en un nouveau.
error-client_auth_unreadable = L'authentification du client (HTTP Basic) n'a pas pu être lue : envoyez le client_id comme nom d'utilisateur avec un mot de passe vide.
error-client_secret = Ce client n'a pas de secret : envoyez le client_id comme nom d'utilisateur HTTP Basic avec un mot de passe vide.
error-client_id_mismatch = Le client_id du corps diffère de celui de l'en-tête Authorization.
error-client_authentication = L'authentification du client a échoué : un client confidentiel envoie son secret, par HTTP Basic ou comme client_secret.
error-client_auth_twice = Envoyez le secret du client une seule fois : par HTTP Basic ou comme client_secret, pas les deux.
error-token_parameter_missing = Le paramètre token est manquant.
error-too_many_attempts = Trop de tentatives. Veuillez réessayer plus tard.
error-server_error = Une erreur s'est produite de notre côté. Veuillez réessayer plus tard.
error-mfa_required = Un second facteur est requis : envoyez-le avec le mfa_token à /api/token (grant_type=mfa).
error-factor_enabled = Ce facteur est déjà activé. Supprimez-le d’abord pour en configurer un nouveau.

## field

field-invalid_postal_code = Ce code postal n'est pas valide.
field-invalid_invite = Ce jeton d'inscription n'est pas valide ou a déjà été utilisé.
field-invalid_year_of_birth = Cette année de naissance n'est pas valide.
field-invalid_sector = Choisissez une lettre de secteur de A à T.
field-invalid_usertype = Choisissez customer ou organisation.
field-not_an_integer = Ce champ doit être un nombre entier.
field-required = Ce champ est obligatoire.
field-too_long = Ce champ ne peut pas dépasser { $max } caractères.
field-control_characters = Ce champ ne peut pas contenir de caractères de contrôle (retours à la ligne, tabulations, NUL).
field-invalid_email = Cette adresse e-mail n'est pas valide.
field-email_taken = Cette adresse e-mail est déjà enregistrée.
field-password_too_short = Le mot de passe doit contenir au moins { $min } caractères.
field-password_too_long = Le mot de passe ne peut pas dépasser { $max } caractères.
field-password_too_common = Ce mot de passe est trop courant.
field-password_breached = Ce mot de passe est apparu dans une fuite de données ; choisissez-en un autre.
field-password_equals_email = Le mot de passe ne peut pas être votre adresse e-mail.
field-password_unchanged = Le nouveau mot de passe doit être différent de l'actuel.
field-password_incorrect = Le mot de passe est incorrect.
field-invalid_telephone = Ce n'est pas un numéro de téléphone international valide, comme +32 475 00 00 00.
field-invalid_policy_id = Les identifiants de version de politique sont des nombres entiers.
field-unknown_policy = La version de politique { $id } n'existe pas.
field-policy_required = La politique { $type } en vigueur doit être acceptée.
field-not_a_list = Ce champ doit être une liste.
field-too_many_items = Cette liste peut contenir au plus { $max } éléments.
field-invalid_language = Choisissez parmi en, nl, fr, de, es.
field-wrong_code = Ce code n’est pas le code actuel de votre application d’authentification.
field-one_factor = Indiquez exactement un de code, recovery_code et credential.
field-invalid_credential = Ceci n'est pas un identifiant WebAuthn au format JSON.
field-unknown_ceremony = Cette cérémonie est inconnue, terminée ou expirée : demandez de nouvelles options.
field-credential_refused = La réponse de l'authentificateur a été refusée (autre site, signature invalide, sans vérification de l'utilisateur, ou clé d'accès déjà enregistrée).

## users

users-login_incorrect = Le nom d'utilisateur ou le mot de passe est incorrect.
users-not_validated = L'adresse e-mail n'est pas validée
users-invalid = Les données fournies ne sont pas valides.
users-validated = Validé
users-token_incorrect = Le code est incorrect
users-already_validated = L'adresse e-mail est déjà validée
users-no_account = Aucun compte avec cette adresse e-mail
users-too_many_attempts = Trop de tentatives
users-mail_sent = E-mail envoyé
users-server_error = Erreur serveur

## users.rule

users-rule-required = Le champ { $attribute } est obligatoire.
users-rule-email = Le champ { $attribute } doit être une adresse e-mail valide.
users-rule-max = Le champ { $attribute } ne peut pas dépasser { $max } caractères.
users-rule-control_characters = Le champ { $attribute } ne peut pas contenir de caractères de contrôle.
users-rule-integer = Le champ { $attribute } doit être un entier.
users-rule-unique = La valeur du champ { $attribute } est déjà utilisée.
users-rule-password_min = Le champ { $attribute } doit contenir au moins { $min } caractères.
users-rule-password_common = Le champ { $attribute } est trop courant ; choisissez-en un autre.
users-rule-password_breached = Le champ { $attribute } est apparu dans une fuite de données ; choisissez-en un autre.
users-rule-different_email = Les champs { $attribute } et e-mail doivent être différents.
users-rule-format = Le format du champ { $attribute } n'est pas valide.
users-rule-selected = Le champ { $attribute } sélectionné n'est pas valide.
users-rule-incorrect = Le champ { $attribute } est incorrect.
users-mfa_required = Un second facteur est requis.

## page

page-confirmed_title = Adresse confirmée
page-confirmed_text = Votre adresse e-mail est confirmée. Vous pouvez fermer cette page et revenir à votre application.
page-invalid_title = Lien non valide
page-invalid_text = Ce lien est invalide, déjà utilisé ou expiré. Demandez-en un nouveau dans votre application.
page-reset_title = Choisissez un nouveau mot de passe
page-reset_text = Saisissez deux fois votre nouveau mot de passe.
page-reset_hint = Choisissez un mot de passe difficile à deviner : long, peu courant et différent de votre adresse e-mail.
page-password_label = Nouveau mot de passe
page-password_repeat_label = Répétez le nouveau mot de passe
page-submit = Changer le mot de passe
page-mismatch = Les mots de passe ne correspondent pas.
page-form_expired = Le formulaire a expiré. Veuillez réessayer.
page-form_unreadable = Le formulaire n'a pas pu être lu. Veuillez réessayer.
page-reset_done_title = Mot de passe changé
page-reset_done_text = Votre mot de passe est changé et toutes vos sessions sont fermées. Reconnectez-vous dans votre application avec le nouveau mot de passe.
page-error_title = Un problème est survenu
page-error_text = Un problème est survenu de notre côté. Veuillez réessayer plus tard.
page-signup_title = Activez votre compte
page-signup_text = Pour activer votre compte, donnez votre consentement. Vous pouvez aussi choisir un mot de passe maintenant ; c'est facultatif.
page-consent_label = J'accepte le traitement des données de mon compte pour la fourniture du service.
page-consent_required = Votre consentement est nécessaire pour activer votre compte.
page-signup_password_label = Mot de passe (facultatif)
page-signup_password_repeat_label = Répétez le mot de passe
page-signup_submit = Activer le compte
page-signup_hint = Si vous choisissez un mot de passe, qu'il soit difficile à deviner : long, peu courant et différent de votre adresse e-mail.
page-signup_done_title = Compte actif
page-signup_done_text = Votre compte est actif. Vous pouvez maintenant vous connecter dans l'application.
page-already_confirmed_text = Ce lien a déjà été utilisé : votre adresse e-mail est confirmée. Vous pouvez fermer cette page et revenir à votre application.
page-signup_used_text = Ce lien a déjà été utilisé : votre compte est actif. Connectez-vous dans l'application ; si vous n'avez pas choisi de mot de passe, demandez-en un avec « Mot de passe oublié ? » dans l'application.
page-signup_done_no_password_text = Votre compte est actif, mais il n'a pas encore de mot de passe. Pour vous connecter, choisissez-en un : utilisez « Mot de passe oublié ? » dans l'application avec cette adresse e-mail, puis ouvrez le lien que nous vous envoyons.

## typed

typed-token_required = Aucun jeton envoyé.
typed-token_in_resultset = Jeton invalide ou déjà utilisé.
typed-email_required = Aucune adresse e-mail envoyée.
typed-email_email = Adresse e-mail invalide.
typed-email_not_in_resultset = L'adresse e-mail existe déjà.
typed-postcode_required = Aucun code postal envoyé.
typed-postcode_postcode = Code postal invalide
typed-password_required = Aucun mot de passe envoyé.
typed-password_too_short = Le mot de passe doit contenir au moins { $min } caractères.
typed-password_too_long = Le mot de passe ne peut pas dépasser { $max } caractères.
typed-password_too_common = Mot de passe trop courant ; choisissez-en un autre.
typed-password_breached = Mot de passe apparu dans une fuite de données ; choisissez-en un autre.
typed-password_equals_email = Le mot de passe ne peut pas être l'adresse e-mail.
typed-usertype_in = "usertype" est invalide.
typed-name_required = Aucun nom envoyé ou nom vide.
typed-year_of_birth_required = Aucun year_of_birth envoyé.
typed-year_of_birth_number = year_of_birth est invalide
typed-year_of_birth_gt_num = year_of_birth doit être dans les 150 dernières années
typed-year_of_birth_lt_num = year_of_birth doit remonter à au moins 10 ans
typed-street_name_required = Aucun street_name envoyé.
typed-town_required = Aucune town envoyée.
typed-sector_required = Aucun sector envoyé.
typed-sector_in = "sector" est invalide.
typed-too_long = { $field } ne peut pas dépasser { $max } caractères.
typed-control_characters = { $field } ne peut pas contenir de caractères de contrôle.
typed-success = Inscription réussie
typed-server_error = Une erreur inconnue s'est produite.

## The OAuth pages: sign-in, consent, logout
page-authorize_error_title = Ce lien de connexion ne fonctionne pas
page-authorize_missing_client = L’application qui vous a envoyé ici n’a pas dit qui elle est. Retournez dans l’application et réessayez.
page-authorize_unknown_client = Nous ne connaissons pas l’application qui vous a envoyé ici. Retournez dans l’application et réessayez.
page-authorize_missing_redirect_uri = L’application qui vous a envoyé ici n’a pas dit où vous renvoyer. Retournez dans l’application et réessayez.
page-authorize_unregistered_redirect_uri = L’application qui vous a envoyé ici demande à vous renvoyer vers une adresse qu’elle n’a pas enregistrée : nous ne vous y enverrons pas.
page-error_code = Code d’erreur : { $code }
page-signin_title = Se connecter
page-signin_text = Connectez-vous pour continuer vers { $client }.
page-email_label = Adresse e-mail
page-signin_password_label = Mot de passe
page-signin_submit = Se connecter
page-signin_send_code = M’envoyer plutôt un code de connexion par e-mail
page-signin_passkey = Se connecter avec une clé d’accès
page-passkey_failed = La clé d’accès n’a pas fonctionné. Réessayez, ou connectez-vous autrement.
page-forgot_link = Mot de passe oublié ?
page-signup_link = Créer un compte
page-signin_missing = Saisissez votre adresse e-mail et votre mot de passe.
page-signin_email_invalid = Saisissez une adresse e-mail valide.
page-signin_wrong = L’adresse e-mail ou le mot de passe est incorrect.
page-too_many_attempts = Trop de tentatives. Réessayez dans { $seconds } secondes.
page-account_disabled = Ce compte est désactivé.
page-email_not_confirmed = Confirmez d’abord votre adresse e-mail : ouvrez le lien que nous vous avons envoyé.
page-code_title = Consultez vos e-mails
page-code_text = Si { $email } a un compte, nous y avons envoyé un code de connexion. Saisissez le code ici.
page-code_label = Code de connexion
page-code_resend = Envoyer un nouveau code
page-code_wrong = Le code est incorrect ou expiré.
page-start_again = Recommencer
page-second_factor_title = Confirmez que c’est vous
page-second_factor_text = Votre compte demande une deuxième étape.
page-totp_label = Code de votre application d’authentification
page-verify = Vérifier
page-recovery_label = Ou un code de récupération
page-recovery_submit = Utiliser le code de récupération
page-second_factor_passkey = Utiliser une clé d’accès
page-second_factor_wrong = Le code est incorrect, ou la connexion a pris trop de temps : recommencez.
page-consent_title = Autoriser l’accès
page-consent_text = { $client } demande à :
page-consent_policies_text = Pour continuer, acceptez ces conditions :
page-consent_allow = Autoriser
page-consent_deny = Refuser
page-consent_hint = Vous pouvez vous déconnecter de l’application à tout moment.
page-consent_policies_required = Cochez chaque case pour accepter les conditions, ou refusez.
page-scope_openid = vous connecter
page-scope_email = voir votre adresse e-mail
page-scope_profile = voir votre nom et votre langue
page-scope_phone = voir votre numéro de téléphone
page-scope_offline_access = rester connecté
page-logout_title = Se déconnecter de Registrar ?
page-logout_text = Vous serez déconnecté dans ce navigateur.
page-logout_everywhere = Me déconnecter aussi des applications ouvertes depuis ce navigateur
page-logout_submit = Se déconnecter
page-logout_error_title = Ce lien de déconnexion ne fonctionne pas
page-logout_unknown_client = Nous ne connaissons pas l’application qui vous a envoyé ici.
page-logout_client_mismatch = L’application qui vous a envoyé ici ne correspond pas à la connexion qu’elle nomme.
page-logout_unregistered_uri = L’application demande à vous envoyer vers une adresse qu’elle n’a pas enregistrée : nous ne vous y enverrons pas.
page-logout_done_title = Vous êtes déconnecté
page-logout_done_text = Vous êtes déconnecté dans ce navigateur. Vous pouvez fermer cette page.
page-back_to_signin = Retour à la connexion
page-forgot_title = Mot de passe oublié ?
page-forgot_text = Saisissez votre adresse e-mail : si elle a un compte, nous vous envoyons un lien pour choisir un nouveau mot de passe.
page-forgot_submit = M’envoyer un lien
page-forgot_sent_title = Consultez vos e-mails
page-forgot_sent_text = Si { $email } a un compte, nous y avons envoyé un lien pour choisir un nouveau mot de passe. Revenez ensuite vous connecter.
page-create_title = Créer un compte
page-create_text = Saisissez votre adresse e-mail : nous vous envoyons un lien pour activer votre compte.
page-create_submit = Créer le compte
page-create_sent_title = Consultez vos e-mails
page-create_sent_text = Nous avons envoyé un lien à { $email }. Ouvrez-le pour activer votre compte, puis revenez vous connecter.
page-create_not_offered = Ici, les comptes sont créés sur invitation.
