//! Policy revisions for the app's test crates (`api` and `browser`), each
//! of which includes this file as a module.

use registrar_domain::{Language, PolicyText, PolicyType};
use registrar_store::NewPolicyRevision;

/// A revision of the policy of type `t` at `version`, published now, with
/// its English text titled `title`.
pub fn english_revision(t: &str, version: &str, title: &str) -> NewPolicyRevision {
    let mut texts = std::collections::BTreeMap::new();
    texts.insert(
        Language::EN,
        PolicyText {
            title: title.into(),
            description: format!("About {t}"),
            button: "I agree".into(),
            html: format!("<h1>{title}</h1>"),
        },
    );
    NewPolicyRevision {
        policy_type: PolicyType::parse(t).expect("type"),
        version: version.into(),
        published_at: chrono::Utc::now(),
        texts,
    }
}
