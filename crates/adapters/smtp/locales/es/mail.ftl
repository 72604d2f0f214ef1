# Registrar mails: es. The templates (templates/<kind>.*) name these ids;
# { $name } is the addressee's name.

## shared

greeting-named = Hola, { $name }:
greeting = Hola:
code-label = Tu código:
button-fallback = ¿No funciona el botón? Copia este enlace en tu navegador:
choose-password-button = Elegir una contraseña nueva
reset-password-button = Restablecer mi contraseña

## confirmation

confirmation-subject = Confirma tu dirección de correo electrónico
confirmation-enter-code = Confirma tu dirección de correo electrónico introduciendo este código:
confirmation-open-link = O confírmala abriendo este enlace:
confirmation-not-you = ¿No lo has solicitado? Puedes ignorar este correo sin problema.
confirmation-one-click = O confírmala con un solo clic:
confirmation-button = Confirmar mi dirección

## signup-confirmation

signup-confirmation-subject = Confirma tu nueva cuenta
signup-confirmation-open-link = ¡Gracias por registrarte! Para activar tu cuenta, abre este enlace:
signup-confirmation-code-hint = Si la aplicación en la que te registraste te pide un código, escribe este allí. Confirma tu dirección; para activar tu cuenta, abre el enlace de arriba.
signup-confirmation-not-you = ¿No te has registrado? Ignora este correo; no se activará ninguna cuenta.
signup-confirmation-intro = ¡Gracias por registrarte! Para activar tu cuenta, confirma tu dirección de correo electrónico.
signup-confirmation-button = Activar mi cuenta

## signup-attempt

signup-attempt-subject = Alguien ha intentado registrarse con tu dirección de correo
signup-attempt-intro = Alguien (quizá tú) ha intentado registrarse con esta dirección de correo electrónico, pero ya existe una cuenta con ella.
signup-attempt-open-link = ¿Fuiste tú? Entonces simplemente inicia sesión. ¿Has olvidado tu contraseña? Elige una nueva con este enlace:
signup-attempt-not-you = ¿No fuiste tú? Puedes ignorar este correo; tu cuenta no ha cambiado.
signup-attempt-choose = ¿Fuiste tú? Entonces simplemente inicia sesión. ¿Has olvidado tu contraseña? Elige una nueva:

## password-reset

password-reset-subject = Restablece tu contraseña
password-reset-open-link = Hemos recibido una solicitud para restablecer tu contraseña. Elige una nueva con este enlace, válido durante una hora:
password-reset-not-you = ¿No lo has solicitado? Ignora este correo; tu contraseña seguirá siendo la misma.
password-reset-intro = Hemos recibido una solicitud para restablecer tu contraseña. Elige una nueva con el botón de abajo; funciona durante una hora.

## password-changed

password-changed-subject = Tu contraseña ha cambiado
password-changed-intro = La contraseña de tu cuenta se acaba de cambiar. Por seguridad, hemos cerrado tu sesión en tus otros dispositivos.
password-changed-was-you = ¿Fuiste tú? Entonces no tienes que hacer nada más.
password-changed-open-link = ¿No fuiste tú? Restablece tu contraseña ahora mismo con este enlace:
password-changed-reset = ¿No fuiste tú? Restablece tu contraseña ahora mismo:

## totp-enabled

totp-enabled-subject = La verificación en dos pasos está activada
totp-enabled-intro = Se acaba de activar la verificación en dos pasos en tu cuenta. A partir de ahora, al iniciar sesión te pediremos, además de tu contraseña, un código de tu aplicación de autenticación.
totp-enabled-keep-codes = Guarda tus códigos de recuperación en un lugar seguro: cada uno te permite iniciar sesión una vez si pierdes el teléfono.
totp-enabled-open-link = ¿No fuiste tú? Entonces alguien conoce tu contraseña. Restablécela ahora mismo con este enlace y después contacta con el soporte para que eliminen la aplicación de autenticación:
totp-enabled-reset = ¿No fuiste tú? Entonces alguien conoce tu contraseña. Restablécela ahora mismo y después contacta con el soporte para que eliminen la aplicación de autenticación:

## totp-disabled

totp-disabled-subject = La verificación en dos pasos está desactivada
totp-disabled-intro = Se acaba de desactivar la verificación en dos pasos en tu cuenta, y tus códigos de recuperación ya no sirven. Ahora, para iniciar sesión solo se pide tu contraseña.
totp-disabled-was-you = ¿Fuiste tú, o lo pediste? Entonces no tienes que hacer nada más. Puedes volver a activarla cuando quieras en los ajustes de seguridad de tu cuenta.
totp-disabled-open-link = ¿No fuiste tú? Restablece tu contraseña ahora mismo con este enlace y vuelve a activar la verificación en dos pasos:
totp-disabled-reset = ¿No fuiste tú? Restablece tu contraseña ahora mismo y vuelve a activar la verificación en dos pasos:

## recovery-code-used

recovery-code-used-subject = Se usó un código de recuperación para iniciar sesión
recovery-code-used-intro = El { $when } se usó uno de tus códigos de recuperación para iniciar sesión en tu cuenta. Ese código ya no sirve.
recovery-code-used-new-codes = ¿Fuiste tú? Si perdiste tu aplicación de autenticación o te quedan pocos códigos, crea códigos de recuperación nuevos (o vuelve a configurar la aplicación) en los ajustes de seguridad de tu cuenta.
recovery-code-used-open-link = ¿No fuiste tú? Entonces alguien conoce tu contraseña y uno de tus códigos de recuperación. Restablece tu contraseña ahora mismo con este enlace y después crea códigos de recuperación nuevos:
recovery-code-used-reset = ¿No fuiste tú? Entonces alguien conoce tu contraseña y uno de tus códigos de recuperación. Restablece tu contraseña ahora mismo y después crea códigos de recuperación nuevos:

## passkey-added

passkey-added-subject = Se ha añadido una llave de acceso a tu cuenta
passkey-added-intro = Se acaba de añadir una llave de acceso (passkey) a tu cuenta. Con ella puedes iniciar sesión sin contraseña, y cuenta como segundo paso cuando inicias sesión con tu contraseña.
passkey-added-was-you = ¿Fuiste tú? Entonces no tienes que hacer nada más. Puedes ver, renombrar y eliminar tus llaves de acceso en los ajustes de seguridad de tu cuenta.
passkey-added-open-link = ¿No fuiste tú? Entonces alguien puede entrar en tu cuenta. Restablece tu contraseña ahora mismo con este enlace y después elimina la llave de acceso que no conoces:
passkey-added-reset = ¿No fuiste tú? Entonces alguien puede entrar en tu cuenta. Restablece tu contraseña ahora mismo y después elimina la llave de acceso que no conoces:

## passkey-removed

passkey-removed-subject = Se ha eliminado una llave de acceso de tu cuenta
passkey-removed-intro = Se acaba de eliminar una llave de acceso de tu cuenta. Ya no sirve para iniciar sesión.
passkey-removed-was-you = ¿Fuiste tú? Entonces no tienes que hacer nada más.
passkey-removed-open-link = ¿No fuiste tú? Restablece tu contraseña ahora mismo con este enlace y después revisa tus llaves de acceso y segundos pasos:
passkey-removed-reset = ¿No fuiste tú? Restablece tu contraseña ahora mismo y después revisa tus llaves de acceso y segundos pasos:
## sign-in-code

sign-in-code-subject = Tu código de inicio de sesión
sign-in-code-intro = Usa este código para iniciar sesión en tu cuenta. Sirve una sola vez, durante { $minutes } minutos.
sign-in-code-never-share = No se lo des a nadie: nunca te lo pediremos.
sign-in-code-not-you = ¿No lo has solicitado? Entonces alguien ha escrito tu dirección de correo. Sin este código no puede iniciar sesión, y puedes ignorar este correo.

## new-sign-in

new-sign-in-subject = Nuevo inicio de sesión en { $device }
new-sign-in-intro = Se acaba de iniciar sesión en tu cuenta desde un dispositivo en el que nunca se había usado: { $device }, el { $when }.
new-sign-in-was-you = ¿Fuiste tú? Entonces no tienes que hacer nada más. En los ajustes de seguridad de tu cuenta puedes ver tu actividad reciente y cerrar la sesión de los dispositivos.
new-sign-in-not-you = Si no fuiste tú, alguien conoce tu contraseña. Restablécela ahora mismo con «¿Olvidaste tu contraseña?» en la aplicación que usas; así se cierra la sesión en todos los dispositivos.

## email-change

email-change-confirm-subject = Confirma tu nueva dirección de correo
email-change-confirm-intro = Pediste usar esta dirección para tu cuenta. Confírmala introduciendo este código en las próximas { $hours } horas:
email-change-confirm-open-link = O confírmala abriendo este enlace:
email-change-confirm-one-click = O confírmala con un clic:
email-change-confirm-button = Confirmar mi nueva dirección
email-change-confirm-not-you = ¿No lo pediste? Entonces puedes ignorar este correo; la cuenta conserva su dirección.
email-change-notice-subject = Se está cambiando tu dirección de correo
email-change-notice-intro = Alguien pidió cambiar la dirección de correo de tu cuenta a { $address }. No cambia nada hasta que se confirme la nueva dirección.
email-change-notice-was-you = ¿Fuiste tú? Entonces no tienes que hacer nada más.
email-change-notice-open-link = Si no fuiste tú, abre este enlace: cancela el cambio, cierra tu sesión en todas partes y te envía un enlace para elegir una contraseña nueva:
email-change-notice-not-you = Si no fuiste tú, cancela el cambio: se cerrará tu sesión en todas partes y recibirás un enlace para elegir una contraseña nueva.
email-change-notice-button = No fui yo
email-changed-subject = Se cambió tu dirección de correo
email-changed-intro = Tu cuenta usa ahora la dirección de correo { $address }; los correos sobre ella ya no llegan aquí.
email-changed-not-you = Si no fuiste tú, alguien tiene tu contraseña y tu nuevo buzón: contáctanos de inmediato.
