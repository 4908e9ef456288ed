//! Templates (tera), embedded in the binary: each mail to applicants in
//! every built-in language (English at the top of `templates/`, the others
//! in `templates/fr/`, `templates/es/`, `templates/de/`), and the staff
//! report. A folder named in the config (`intake.templates`) can override
//! any of them by the same path; a file there with any other name is an
//! error, so that a misspelt override is never ignored.

use std::path::Path;

use tera::{Context, Tera};

use crate::lang::Lang;

/// The mails applicants get, one file each, in every language.
pub const MAIL_TEMPLATES: [&str; 11] = [
    "questions.txt",
    "confirmation.txt",
    "problems.txt",
    "closed.txt",
    "attachment.txt",
    "confirm-address.txt",
    "confirm-withdraw.txt",
    "confirm-data.txt",
    "confirm-erase.txt",
    "withdrawn.txt",
    "data-copy.txt",
];

/// The staff report: English only, at the top of the folder.
pub const REPORT_TEMPLATE: &str = "report.html";

macro_rules! mail_texts {
    ($dir:literal) => {
        [
            include_str!(concat!("../templates/", $dir, "questions.txt")),
            include_str!(concat!("../templates/", $dir, "confirmation.txt")),
            include_str!(concat!("../templates/", $dir, "problems.txt")),
            include_str!(concat!("../templates/", $dir, "closed.txt")),
            include_str!(concat!("../templates/", $dir, "attachment.txt")),
            include_str!(concat!("../templates/", $dir, "confirm-address.txt")),
            include_str!(concat!("../templates/", $dir, "confirm-withdraw.txt")),
            include_str!(concat!("../templates/", $dir, "confirm-data.txt")),
            include_str!(concat!("../templates/", $dir, "confirm-erase.txt")),
            include_str!(concat!("../templates/", $dir, "withdrawn.txt")),
            include_str!(concat!("../templates/", $dir, "data-copy.txt")),
        ]
    };
}

/// The built-in mail texts of `lang`, in [`MAIL_TEMPLATES`] order.
fn embedded(lang: Lang) -> [&'static str; 11] {
    match lang {
        Lang::En => mail_texts!(""),
        Lang::Fr => mail_texts!("fr/"),
        Lang::Es => mail_texts!("es/"),
        Lang::De => mail_texts!("de/"),
    }
}

/// Where template `name` of `lang` sits, in the built-in folder and in an
/// override folder alike: `questions.txt` for English, `fr/questions.txt`.
pub fn template_path(lang: Lang, name: &str) -> String {
    match lang {
        Lang::En => name.to_string(),
        other => format!("{}/{name}", other.code()),
    }
}

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("template {name}: {message}")]
    Template { name: String, message: String },
    #[error("cannot read template {path}: {reason}")]
    Read {
        path: String,
        // In the message, so not a `source`: a printed chain would repeat it.
        reason: std::io::Error,
    },
    /// A file or folder in the override folder that overrides nothing.
    #[error(
        "key `intake.templates`: {path} is not a template; known names: {known}, and the folders {folders} holding the same mail templates (report.html only at the top)"
    )]
    Unknown {
        path: String,
        known: String,
        folders: String,
    },
}

#[derive(Debug)]
pub struct Templates {
    tera: Tera,
}

impl Templates {
    /// The built-in templates, each replaced by the file of the same path
    /// in `override_dir` when there is one; an error for a file there that
    /// is no template's (names starting with `.` are passed over).
    pub fn load(override_dir: Option<&Path>) -> Result<Self, RenderError> {
        if let Some(dir) = override_dir {
            check_names(dir)?;
        }
        let mut tera = Tera::default();
        // Only .html is escaped: the mail templates are plain text.
        tera.autoescape_on(vec![".html"]);
        let mut all: Vec<(String, &str)> = Vec::new();
        for lang in Lang::ALL {
            for (name, text) in MAIL_TEMPLATES.iter().zip(embedded(lang)) {
                all.push((template_path(lang, name), text));
            }
        }
        all.push((
            REPORT_TEMPLATE.to_string(),
            include_str!("../templates/report.html"),
        ));
        for (name, embedded) in all {
            let text = match override_dir.map(|d| d.join(&name)) {
                Some(p) if p.is_file() => {
                    std::fs::read_to_string(&p).map_err(|reason| RenderError::Read {
                        path: p.display().to_string(),
                        reason,
                    })?
                }
                _ => embedded.to_string(),
            };
            tera.add_raw_template(&name, &text)
                .map_err(|e| RenderError::Template {
                    name: name.clone(),
                    // The whole chain: tera's top-level message alone
                    // rarely says which line.
                    message: crate::errors::describe(&e),
                })?;
        }
        Ok(Self { tera })
    }

    /// Renders template `name` (a path as in [`template_path`]).
    pub fn render(&self, name: &str, ctx: &Context) -> Result<String, RenderError> {
        self.tera
            .render(name, ctx)
            .map_err(|e| RenderError::Template {
                name: name.to_string(),
                message: crate::errors::describe(&e),
            })
    }

    /// Renders mail template `name` in `lang`.
    pub fn render_in(&self, lang: Lang, name: &str, ctx: &Context) -> Result<String, RenderError> {
        self.render(&template_path(lang, name), ctx)
    }
}

/// Refuses any entry of the override folder that overrides nothing: a
/// misspelt `questons.txt`, a `fr/report.html`, an `it/` folder.
fn check_names(dir: &Path) -> Result<(), RenderError> {
    let unknown = |path: &Path| RenderError::Unknown {
        path: path.display().to_string(),
        known: MAIL_TEMPLATES
            .iter()
            .chain(std::iter::once(&REPORT_TEMPLATE))
            .copied()
            .collect::<Vec<_>>()
            .join(", "),
        folders: Lang::ALL
            .iter()
            .filter(|l| **l != Lang::En)
            .map(|l| format!("{}/", l.code()))
            .collect::<Vec<_>>()
            .join(", "),
    };
    let entries = |d: &Path| -> Result<Vec<(String, std::path::PathBuf)>, RenderError> {
        let read = std::fs::read_dir(d).map_err(|reason| RenderError::Read {
            path: d.display().to_string(),
            reason,
        })?;
        let mut out = Vec::new();
        for e in read {
            let e = e.map_err(|reason| RenderError::Read {
                path: d.display().to_string(),
                reason,
            })?;
            let name = e.file_name().to_string_lossy().into_owned();
            if !name.starts_with('.') {
                out.push((name, e.path()));
            }
        }
        out.sort();
        Ok(out)
    };
    for (name, path) in entries(dir)? {
        let lang_dir = Lang::from_code(&name).filter(|l| *l != Lang::En);
        if path.is_dir() && lang_dir.is_some() {
            for (inner, inner_path) in entries(&path)? {
                if !(inner_path.is_file() && MAIL_TEMPLATES.contains(&inner.as_str())) {
                    return Err(unknown(&inner_path));
                }
            }
        } else if !(path.is_file()
            && (MAIL_TEMPLATES.contains(&name.as_str()) || name == REPORT_TEMPLATE))
        {
            return Err(unknown(&path));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_templates_compile_and_override_wins() {
        Templates::load(None).expect("embedded templates");
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("closed.txt"), "Closed: {{ intake_name }}").expect("write");
        let t = Templates::load(Some(dir.path())).expect("override");
        let mut ctx = Context::new();
        ctx.insert("intake_name", "G");
        assert_eq!(t.render("closed.txt", &ctx).expect("render"), "Closed: G");
    }

    #[test]
    fn a_misspelt_override_is_refused_with_the_known_names() {
        for (bad, named) in [
            ("questons.txt", "questons.txt"),
            ("fr/report.html", "fr/report.html"),
            ("fr/questons.txt", "fr/questons.txt"),
            ("it/questions.txt", "it"),
        ] {
            let dir = tempfile::tempdir().expect("tempdir");
            let path = dir.path().join(bad);
            std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
            std::fs::write(&path, "x").expect("write");
            let e = Templates::load(Some(dir.path()))
                .expect_err(bad)
                .to_string();
            let named = dir.path().join(named).display().to_string();
            assert!(e.contains(&format!("{named} is not a template")), "{e}");
            assert!(e.contains("intake.templates"), "{e}");
            for known in MAIL_TEMPLATES {
                assert!(e.contains(known), "{known} in {e}");
            }
            assert!(
                e.contains("report.html") && e.contains("fr/, es/, de/"),
                "{e}"
            );
        }
        // The right names, a language folder and a dot-file pass.
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir(dir.path().join("fr")).expect("mkdir");
        std::fs::write(
            dir.path().join("fr/closed.txt"),
            "Fermé : {{ intake_name }}",
        )
        .expect("write");
        std::fs::write(dir.path().join("report.html"), "r").expect("write");
        std::fs::write(dir.path().join(".keep"), "").expect("write");
        let t = Templates::load(Some(dir.path())).expect("known names");
        let mut ctx = Context::new();
        ctx.insert("intake_name", "G");
        assert_eq!(
            t.render_in(Lang::Fr, "closed.txt", &ctx).expect("render"),
            "Fermé : G"
        );
        ctx.insert("closes_at", "1 May");
        ctx.insert("applicant_name", &None::<String>);
        assert!(
            t.render_in(Lang::En, "closed.txt", &ctx)
                .expect("render")
                .contains("closed on 1 May")
        );
    }

    #[test]
    fn html_is_escaped_text_is_not() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("closed.txt"), "{{ intake_name }}").expect("write");
        let t = Templates::load(Some(dir.path())).expect("override");
        let mut ctx = Context::new();
        ctx.insert("intake_name", "<b>&");
        assert_eq!(t.render("closed.txt", &ctx).expect("render"), "<b>&");
    }
}
