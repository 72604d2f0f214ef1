//! What the test binaries share.

use registrar_domain::Language;
use registrar_service::{testing, LoginInput, RegisterInput};

/// The password of every account the tests register.
pub const PASSWORD: &str = "Correct-Horse-42";

/// The shared world (see `registrar_service::testing`), with each file's helpers.
pub struct World(pub testing::World);

impl std::ops::Deref for World {
    type Target = testing::World;

    fn deref(&self) -> &testing::World {
        &self.0
    }
}

/// Requests from this machine.
pub fn ip() -> registrar_domain::ClientIp {
    testing::local_ip()
}

/// A registration of `email` (first name `firstname`, with [`PASSWORD`])
/// through `client`, accepting `policies`, from the device "phone", in English.
pub fn registration(client: &str, policies: &[i32], email: &str, firstname: &str) -> RegisterInput {
    RegisterInput {
        client_id: Some(client.to_owned()),
        device_id: Some("phone".into()),
        device_name: Some("Phone".into()),
        email: Some(email.into()),
        password: Some(PASSWORD.into()),
        firstname: Some(firstname.into()),
        lastname: Some("Smith".into()),
        telephone: Some("+32 475 00 00 00".into()),
        policies: Some(policies.iter().map(|p| Some(*p)).collect()),
        tin_nr: None,
        language: Some(Language::EN),
        invite: None,
    }
}

impl World {
    /// A login of `email` with `password` through the world's client, from
    /// `device` (which is also the device's name).
    pub fn login_input(&self, email: &str, password: &str, device: &str) -> LoginInput {
        LoginInput {
            client_id: Some(self.client.clone()),
            device_id: Some(device.into()),
            device_name: Some(device.into()),
            email: Some(email.into()),
            password: Some(password.into()),
        }
    }
}
