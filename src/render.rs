//! Templates (tera), embedded in the binary; a folder named in the config can
//! override any of them by file name.

use std::path::Path;

use tera::{Context, Tera};

const EMBEDDED: &[(&str, &str)] = &[
    ("questions.txt", include_str!("../templates/questions.txt")),
    (
        "confirmation.txt",
        include_str!("../templates/confirmation.txt"),
    ),
    ("problems.txt", include_str!("../templates/problems.txt")),
    ("closed.txt", include_str!("../templates/closed.txt")),
    (
        "confirm-withdraw.txt",
        include_str!("../templates/confirm-withdraw.txt"),
    ),
    (
        "confirm-data.txt",
        include_str!("../templates/confirm-data.txt"),
    ),
    (
        "confirm-erase.txt",
        include_str!("../templates/confirm-erase.txt"),
    ),
    ("withdrawn.txt", include_str!("../templates/withdrawn.txt")),
    ("data-copy.txt", include_str!("../templates/data-copy.txt")),
    (
        "confirm-address.txt",
        include_str!("../templates/confirm-address.txt"),
    ),
    (
        "attachment.txt",
        include_str!("../templates/attachment.txt"),
    ),
    ("report.html", include_str!("../templates/report.html")),
];

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
}

#[derive(Debug)]
pub struct Templates {
    tera: Tera,
}

impl Templates {
    pub fn load(override_dir: Option<&Path>) -> Result<Self, RenderError> {
        let mut tera = Tera::default();
        // Only .html is escaped: the mail templates are plain text.
        tera.autoescape_on(vec![".html"]);
        for (name, embedded) in EMBEDDED {
            let text = match override_dir.map(|d| d.join(name)) {
                Some(p) if p.is_file() => {
                    std::fs::read_to_string(&p).map_err(|reason| RenderError::Read {
                        path: p.display().to_string(),
                        reason,
                    })?
                }
                _ => (*embedded).to_string(),
            };
            tera.add_raw_template(name, &text)
                .map_err(|e| RenderError::Template {
                    name: (*name).to_string(),
                    // The whole chain: tera's top-level message alone
                    // rarely says which line.
                    message: crate::errors::describe(&e),
                })?;
        }
        Ok(Self { tera })
    }

    pub fn render(&self, name: &str, ctx: &Context) -> Result<String, RenderError> {
        self.tera
            .render(name, ctx)
            .map_err(|e| RenderError::Template {
                name: name.to_string(),
                message: crate::errors::describe(&e),
            })
    }
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
    fn html_is_escaped_text_is_not() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("closed.txt"), "{{ intake_name }}").expect("write");
        let t = Templates::load(Some(dir.path())).expect("override");
        let mut ctx = Context::new();
        ctx.insert("intake_name", "<b>&");
        assert_eq!(t.render("closed.txt", &ctx).expect("render"), "<b>&");
    }
}
