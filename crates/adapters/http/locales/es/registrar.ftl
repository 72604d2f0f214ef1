# Registrar API messages and page texts: es.
# Ids are the dotted keys the code names, with "-" for ".".

## error

error-method_not_allowed = Esta ruta no admite ese método.
error-invalid_request = No se pudo leer el cuerpo de la solicitud.
error-validation_failed = Los datos proporcionados no son válidos.
error-invalid_client = Cliente desconocido.
error-invalid_grant = El nombre de usuario, la contraseña o el token no es válido.
error-unsupported_grant_type = Este tipo de concesión no es compatible.
error-invalid_token = El token de acceso falta, no es válido o ha caducado.
error-insufficient_scope = El token de acceso no concede el alcance que esta solicitud necesita.
error-email_not_confirmed = Confirma primero tu dirección de correo electrónico.
error-account_disabled = Esta cuenta está desactivada.
error-not_found = No encontrado.
error-unsupported_media_type = Envía el cuerpo como application/json o application/x-www-form-urlencoded.
error-payload_too_large = El cuerpo de la solicitud supera los 64 KiB.
error-headers_too_large = Las cabeceras de la solicitud son demasiado grandes.
error-request_timeout = El cuerpo de la solicitud no llegó a tiempo.
error-invalid_reset_token = Este enlace para restablecer la contraseña no es válido, ya se usó o ha caducado. Pide uno nuevo.
error-client_auth_unreadable = No se pudo leer la autenticación del cliente (HTTP Basic): envía el client_id como nombre de usuario con una contraseña vacía.
error-client_secret = Este cliente no tiene secreto: envía el client_id como nombre de usuario HTTP Basic con una contraseña vacía.
error-client_id_mismatch = El client_id del cuerpo difiere del de la cabecera Authorization.
error-client_authentication = La autenticación del cliente ha fallado: un cliente confidencial envía su secreto, por HTTP Basic o como client_secret.
error-client_auth_twice = Envía el secreto del cliente una sola vez: por HTTP Basic o como client_secret, no ambos.
error-token_parameter_missing = Falta el parámetro token.
error-too_many_attempts = Demasiados intentos. Vuelve a intentarlo más tarde.
error-server_error = Algo salió mal por nuestra parte. Vuelve a intentarlo más tarde.
error-mfa_required = Se requiere un segundo factor: envíelo con el mfa_token a /api/token (grant_type=mfa).
error-factor_enabled = Este factor ya está activado. Elimínelo primero para configurar uno nuevo.

## field

field-invalid_postal_code = No es un código postal válido.
field-invalid_invite = Este código de registro no es válido o ya se ha usado.
field-invalid_year_of_birth = No es un año de nacimiento válido.
field-invalid_sector = Elige una letra de sector de la A a la T.
field-invalid_usertype = Elige customer u organisation.
field-not_an_integer = Este campo debe ser un número entero.
field-required = Este campo es obligatorio.
field-too_long = Este campo no puede tener más de { $max } caracteres.
field-control_characters = Este campo no puede contener caracteres de control (saltos de línea, tabulaciones, NUL).
field-invalid_email = No es una dirección de correo electrónico válida.
field-email_taken = Esta dirección de correo electrónico ya está registrada.
field-password_too_short = La contraseña debe tener al menos { $min } caracteres.
field-password_too_long = La contraseña no puede tener más de { $max } caracteres.
field-password_too_common = Esta contraseña es demasiado común.
field-password_breached = Esta contraseña ha aparecido en una filtración de datos; elige otra.
field-password_equals_email = La contraseña no puede ser tu dirección de correo electrónico.
field-password_unchanged = La nueva contraseña debe ser distinta de la actual.
field-password_incorrect = La contraseña es incorrecta.
field-invalid_telephone = No es un número de teléfono internacional válido, como +32 475 00 00 00.
field-invalid_policy_id = Los identificadores de versión de política son números enteros.
field-unknown_policy = No existe la versión de política { $id }.
field-policy_required = Debes aceptar la política { $type } vigente.
field-not_a_list = Este campo debe ser una lista.
field-too_many_items = Esta lista puede tener como máximo { $max } elementos.
field-invalid_language = Elige entre en, nl, fr, de, es.
field-wrong_code = Este código no es el código actual de su aplicación de autenticación.
field-one_factor = Indique exactamente uno de code, recovery_code y credential.
field-invalid_credential = Esto no es una credencial WebAuthn en formato JSON.
field-unknown_ceremony = Esta ceremonia es desconocida, ya terminó o caducó: pida opciones nuevas.
field-credential_refused = Se rechazó la respuesta del autenticador (otro sitio, una firma no válida, sin verificación del usuario o una llave de acceso ya registrada).

## users

users-login_incorrect = El nombre de usuario o la contraseña son incorrectos.
users-not_validated = El correo no está validado
users-invalid = Los datos proporcionados no son válidos.
users-validated = Validado
users-token_incorrect = El código es incorrecto
users-already_validated = El correo ya está validado
users-no_account = No hay ninguna cuenta con este correo
users-too_many_attempts = Demasiados intentos
users-mail_sent = Correo enviado
users-server_error = Error del servidor

## users.rule

users-rule-required = El campo { $attribute } es obligatorio.
users-rule-email = El campo { $attribute } debe ser una dirección de correo válida.
users-rule-max = El campo { $attribute } no debe tener más de { $max } caracteres.
users-rule-control_characters = El campo { $attribute } no puede contener caracteres de control.
users-rule-integer = El campo { $attribute } debe ser un número entero.
users-rule-unique = El valor del campo { $attribute } ya está en uso.
users-rule-password_min = El campo { $attribute } debe contener al menos { $min } caracteres.
users-rule-password_common = El campo { $attribute } es demasiado común; elige otro.
users-rule-password_breached = El campo { $attribute } ha aparecido en una filtración de datos; elige otro.
users-rule-different_email = Los campos { $attribute } y correo deben ser diferentes.
users-rule-format = El formato del campo { $attribute } no es válido.
users-rule-selected = El { $attribute } seleccionado no es válido.
users-rule-incorrect = El campo { $attribute } es incorrecto.
users-mfa_required = Se requiere un segundo factor.

## page

page-confirmed_title = Dirección confirmada
page-confirmed_text = Tu dirección de correo está confirmada. Puedes cerrar esta página y volver a tu aplicación.
page-invalid_title = Enlace no válido
page-invalid_text = Este enlace no es válido, ya se usó o ha caducado. Pide uno nuevo en tu aplicación.
page-reset_title = Elige una contraseña nueva
page-reset_text = Escribe tu contraseña nueva dos veces.
page-reset_hint = Elige una contraseña difícil de adivinar: larga, poco común y distinta de tu correo.
page-password_label = Contraseña nueva
page-password_repeat_label = Repite la contraseña nueva
page-submit = Cambiar contraseña
page-mismatch = Las contraseñas no coinciden.
page-form_expired = El formulario ha caducado. Inténtalo de nuevo.
page-form_unreadable = No se pudo leer el formulario. Inténtalo de nuevo.
page-reset_done_title = Contraseña cambiada
page-reset_done_text = Tu contraseña se ha cambiado y se han cerrado todas las sesiones. Vuelve a iniciar sesión en tu aplicación con la contraseña nueva.
page-error_title = Algo salió mal
page-error_text = Algo salió mal por nuestra parte. Inténtalo de nuevo más tarde.
page-signup_title = Activa tu cuenta
page-signup_text = Para activar tu cuenta, da tu consentimiento. También puedes elegir ahora una contraseña; es opcional.
page-consent_label = Doy mi consentimiento para el tratamiento de los datos de mi cuenta para prestar el servicio.
page-consent_required = Se necesita tu consentimiento para activar tu cuenta.
page-signup_password_label = Contraseña (opcional)
page-signup_password_repeat_label = Repite la contraseña
page-signup_submit = Activar cuenta
page-signup_hint = Si eliges una contraseña, que sea difícil de adivinar: larga, poco común y distinta de tu correo.
page-signup_done_title = Cuenta activa
page-signup_done_text = Tu cuenta está activa. Ya puedes iniciar sesión en la aplicación.
page-already_confirmed_text = Este enlace ya se usó: tu dirección de correo está confirmada. Puedes cerrar esta página y volver a tu aplicación.
page-signup_used_text = Este enlace ya se usó: tu cuenta está activa. Inicia sesión en la aplicación; si no elegiste una contraseña, pide una con «¿Olvidaste tu contraseña?» en la aplicación.
page-signup_done_no_password_text = Tu cuenta está activa, pero aún no tiene contraseña. Para iniciar sesión, elige una: usa «¿Olvidaste tu contraseña?» en la aplicación con esta dirección de correo y abre el enlace que te enviaremos.

## typed

typed-token_required = No se envió ningún token.
typed-token_in_resultset = Token no válido o ya usado.
typed-email_required = No se envió ningún correo.
typed-email_email = El correo no es válido.
typed-email_not_in_resultset = El correo ya existe.
typed-postcode_required = No se envió ningún código postal.
typed-postcode_postcode = El código postal no es válido
typed-password_required = No se envió ninguna contraseña.
typed-password_too_short = La contraseña debe tener al menos { $min } caracteres.
typed-password_too_long = La contraseña no puede tener más de { $max } caracteres.
typed-password_too_common = La contraseña es demasiado común; elige otra.
typed-password_breached = La contraseña ha aparecido en una filtración de datos; elige otra.
typed-password_equals_email = La contraseña no puede ser el correo.
typed-usertype_in = "usertype" no es válido.
typed-name_required = No se envió ningún nombre o estaba vacío.
typed-year_of_birth_required = No se envió year_of_birth.
typed-year_of_birth_number = year_of_birth no es válido
typed-year_of_birth_gt_num = year_of_birth debe estar dentro de los últimos 150 años
typed-year_of_birth_lt_num = year_of_birth debe ser de hace al menos 10 años
typed-street_name_required = No se envió street_name.
typed-town_required = No se envió town.
typed-sector_required = No se envió sector.
typed-sector_in = "sector" no es válido.
typed-too_long = { $field } no puede tener más de { $max } caracteres.
typed-control_characters = { $field } no puede contener caracteres de control.
typed-success = Registro completado
typed-server_error = Se produjo un error desconocido.

## The OAuth pages: sign-in, consent, logout
page-authorize_error_title = Este enlace de inicio de sesión no funciona
page-authorize_missing_client = La aplicación que le ha enviado aquí no ha dicho quién es. Vuelva a la aplicación e inténtelo de nuevo.
page-authorize_unknown_client = No conocemos la aplicación que le ha enviado aquí. Vuelva a la aplicación e inténtelo de nuevo.
page-authorize_missing_redirect_uri = La aplicación que le ha enviado aquí no ha dicho adónde devolverle. Vuelva a la aplicación e inténtelo de nuevo.
page-authorize_unregistered_redirect_uri = La aplicación que le ha enviado aquí pide devolverle a una dirección que no ha registrado, así que no le enviaremos allí.
page-error_code = Código de error: { $code }
page-signin_title = Iniciar sesión
page-signin_text = Inicie sesión para continuar en { $client }.
page-email_label = Correo electrónico
page-signin_password_label = Contraseña
page-signin_submit = Iniciar sesión
page-signin_send_code = Enviarme un código por correo en su lugar
page-signin_passkey = Iniciar sesión con una llave de acceso
page-passkey_failed = La llave de acceso no ha funcionado. Inténtelo de nuevo o inicie sesión de otra forma.
page-forgot_link = ¿Ha olvidado la contraseña?
page-signup_link = Crear una cuenta
page-signin_missing = Escriba su correo electrónico y su contraseña.
page-signin_email_invalid = Escriba un correo electrónico válido.
page-signin_wrong = El correo electrónico o la contraseña no son correctos.
page-too_many_attempts = Demasiados intentos. Vuelva a intentarlo dentro de { $seconds } segundos.
page-account_disabled = Esta cuenta está desactivada.
page-email_not_confirmed = Confirme primero su correo electrónico: abra el enlace que le hemos enviado.
page-code_title = Revise su correo
page-code_text = Si { $email } tiene una cuenta, le hemos enviado un código de inicio de sesión. Escriba el código aquí.
page-code_label = Código de inicio de sesión
page-code_resend = Enviar un código nuevo
page-code_wrong = El código no es correcto o ha caducado.
page-start_again = Empezar de nuevo
page-second_factor_title = Confirme que es usted
page-second_factor_text = Su cuenta pide un segundo paso.
page-totp_label = Código de su aplicación de autenticación
page-verify = Verificar
page-recovery_label = O un código de recuperación
page-recovery_submit = Usar el código de recuperación
page-second_factor_passkey = Usar una llave de acceso
page-second_factor_wrong = El código no es correcto, o el inicio de sesión ha tardado demasiado: empiece de nuevo.
page-consent_title = Permitir el acceso
page-consent_text = { $client } pide:
page-consent_policies_text = Para continuar, acepte estas condiciones:
page-consent_allow = Permitir
page-consent_deny = Denegar
page-consent_hint = Puede cerrar la sesión de la aplicación cuando quiera.
page-consent_policies_required = Marque cada casilla para aceptar las condiciones, o deniegue.
page-scope_openid = iniciar su sesión
page-scope_email = ver su correo electrónico
page-scope_profile = ver su nombre y su idioma
page-scope_phone = ver su número de teléfono
page-scope_offline_access = mantener la sesión iniciada
page-logout_title = ¿Cerrar la sesión de Registrar?
page-logout_text = Se cerrará su sesión en este navegador.
page-logout_everywhere = Cerrar también la sesión de las aplicaciones en las que entró desde este navegador
page-logout_submit = Cerrar sesión
page-logout_error_title = Este enlace de cierre de sesión no funciona
page-logout_unknown_client = No conocemos la aplicación que le ha enviado aquí.
page-logout_client_mismatch = La aplicación que le ha enviado aquí no coincide con el inicio de sesión que nombra.
page-logout_unregistered_uri = La aplicación pide enviarle a una dirección que no ha registrado, así que no le enviaremos allí.
page-logout_done_title = Ha cerrado la sesión
page-logout_done_text = Ha cerrado la sesión en este navegador. Puede cerrar esta página.
page-back_to_signin = Volver al inicio de sesión
page-forgot_title = ¿Ha olvidado la contraseña?
page-forgot_text = Escriba su correo electrónico: si tiene una cuenta, le enviaremos un enlace para elegir una contraseña nueva.
page-forgot_submit = Enviarme un enlace
page-forgot_sent_title = Revise su correo
page-forgot_sent_text = Si { $email } tiene una cuenta, le hemos enviado un enlace para elegir una contraseña nueva. Después vuelva e inicie sesión.
page-create_title = Crear una cuenta
page-create_text = Escriba su correo electrónico: le enviaremos un enlace para activar su cuenta.
page-create_submit = Crear cuenta
page-create_sent_title = Revise su correo
page-create_sent_text = Hemos enviado un enlace a { $email }. Ábralo para activar su cuenta y después vuelva para iniciar sesión.
page-create_not_offered = Aquí las cuentas se crean solo por invitación.
