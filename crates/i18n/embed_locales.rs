// Included by the build script of every crate with a `locales/` folder
// (`include!("../../i18n/embed_locales.rs")`): writes `$OUT_DIR/locales.rs`,
// `LOCALES: &[(&str, &str, &str)]` of (language code, file name, source) for
// every `locales/<code>/*.ftl`, for `Catalogue::from_sources`. Cargo reruns
// it when anything under `locales/` changes, so a new language is new files.

fn main() -> std::io::Result<()> {
    use std::path::{Path, PathBuf};

    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let out = PathBuf::from(std::env::var_os("OUT_DIR").unwrap_or_default());
    let locales = manifest.join("locales");
    println!("cargo:rerun-if-changed={}", locales.display());
    let mut files = Vec::new();
    for folder in std::fs::read_dir(&locales)? {
        let folder = folder?.path();
        if folder.is_dir() {
            for file in std::fs::read_dir(&folder)? {
                let file = file?.path();
                if file.extension().is_some_and(|e| e == "ftl") {
                    files.push(file);
                }
            }
        }
    }
    files.sort();
    let name = |p: &Path| p.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_owned();
    let mut code = String::from("pub const LOCALES: &[(&str, &str, &str)] = &[\n");
    for file in &files {
        let language = file.parent().map(name).unwrap_or_default();
        code.push_str(&format!(
            "    ({language:?}, {:?}, include_str!({:?})),\n",
            name(file),
            file.display().to_string()
        ));
    }
    code.push_str("];\n");
    std::fs::write(out.join("locales.rs"), code)
}
