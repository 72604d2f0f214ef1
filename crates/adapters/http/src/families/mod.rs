//! The API families, one folder each: its handlers, its request and answer
//! types, its error body and code table. A family imports [`crate::edge`]
//! and the service, never another family (`tests::families_are_leaves`).

pub mod admin;
pub mod core;
pub mod pages;
pub mod signup;
pub mod typed;
pub mod users;

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    const FAMILIES: [&str; 6] = ["admin", "core", "pages", "signup", "typed", "users"];

    fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("readable source folder") {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                rust_files(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }

    /// What a file of `dir` may not name: the other families and the
    /// modules that compose them.
    fn offences(dir: &Path, forbidden: &[String]) -> Vec<String> {
        let mut files = Vec::new();
        rust_files(dir, &mut files);
        let mut found = Vec::new();
        for file in files {
            let text = std::fs::read_to_string(&file).expect("readable source");
            for (number, line) in text.lines().enumerate() {
                let code = line.split("//").next().unwrap_or_default();
                for word in forbidden {
                    if code.contains(word.as_str()) {
                        found.push(format!("{}:{}: {}", file.display(), number + 1, line.trim()));
                    }
                }
            }
        }
        found
    }

    fn src() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
    }

    const COMPOSERS: [&str; 5] = [
        "crate::dispatch",
        "crate::openapi",
        "crate::ops",
        "crate::fuzzing",
        "super::super",
    ];

    #[test]
    fn families_are_leaves() {
        for family in FAMILIES {
            let mut forbidden: Vec<String> = FAMILIES
                .iter()
                .filter(|other| **other != family)
                .map(|other| format!("crate::families::{other}"))
                .collect();
            forbidden.extend(COMPOSERS.iter().map(|c| (*c).to_owned()));
            let found = offences(&src().join("families").join(family), &forbidden);
            assert!(
                found.is_empty(),
                "the {family} family reaches outside itself:\n{}",
                found.join("\n")
            );
        }
    }

    #[test]
    fn the_edge_names_no_family() {
        let mut forbidden = vec!["crate::families".to_owned()];
        forbidden.extend(COMPOSERS.iter().map(|c| (*c).to_owned()));
        let found = offences(&src().join("edge"), &forbidden);
        assert!(found.is_empty(), "the edge names a family:\n{}", found.join("\n"));
    }

    #[test]
    fn the_check_sees_an_offence() {
        let dir = std::env::temp_dir().join(format!("registrar-leaves-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("a temporary folder");
        std::fs::write(
            dir.join("x.rs"),
            "use crate::families::core::wire_name; // a stray import\n",
        )
        .expect("a file");
        let found = offences(&dir, &["crate::families::core".to_owned()]);
        std::fs::remove_dir_all(&dir).expect("cleaned up");
        assert_eq!(found.len(), 1, "{found:?}");
    }
}
