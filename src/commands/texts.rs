//! The commands that need no server and no database: `questions` and
//! `explain`.

use std::path::Path;

use anyhow::{Context, bail};

use crate::compose::Composer;
use crate::config::Settings;
use crate::render::Templates;

/// `questions`: the question mail as applicants get it, in each
/// configured language, the default first.
pub fn questions(config_file: &Path) -> anyhow::Result<()> {
    let settings = Settings::load(config_file)?;
    let templates = Templates::load(settings.intake.templates_dir.as_deref())?;
    let composer = Composer {
        config: &settings,
        templates: &templates,
        lang: settings.intake.languages.default_lang(),
    };
    // The mail in each configured language, the default first.
    for (i, lang) in settings.intake.languages.iter().enumerate() {
        if i > 0 {
            println!("\n==== {lang} ====\n");
        }
        print!("{}", composer.in_lang(lang).questions_text(None, false)?);
    }
    Ok(())
}

/// `explain`: with `--questions`, the configuration is used when it loads
/// (for the text of our own mails) and not needed when it does not.
pub fn explain(
    config_file: &std::path::Path,
    mail: &std::path::Path,
    questions: Option<&std::path::Path>,
    json: bool,
) -> anyhow::Result<()> {
    let raw = std::fs::read(mail).with_context(|| format!("cannot read {}", mail.display()))?;
    let settings = match questions {
        // The file read with the configured languages, templates and team.
        Some(file) => match Settings::load_with_questions(config_file, file) {
            Ok(settings) => settings,
            Err(crate::config::ConfigError::Read { reason, .. })
                if reason.kind() == std::io::ErrorKind::NotFound =>
            {
                // No configuration: English alone, and our mails as the
                // built-in templates write them, so that a pasted copy of
                // them is still known.
                let text = std::fs::read_to_string(file)
                    .with_context(|| format!("cannot read {}", file.display()))?;
                let set = match crate::questions::QuestionSet::parse(&text, file) {
                    Ok(set) => set,
                    Err(e) if crate::questions::QuestionSet::holds_translations(&text) => {
                        bail!(
                            "{e}; {} holds texts per language, which are read with the languages of intake.languages, and there is no configuration at {}: give it with --config",
                            file.display(),
                            config_file.display()
                        )
                    }
                    Err(e) => return Err(e.into()),
                };
                Settings::without_file(set)
            }
            Err(e) => return Err(e.into()),
        },
        None => Settings::load(config_file)?,
    };
    let templates = Templates::load(settings.intake.templates_dir.as_deref())?;
    let extractor = crate::extractor(&settings, &templates)?;
    let team = &settings.intake.address;
    let explanation = crate::explain::explain(&raw, &extractor, team)
        .with_context(|| format!("{} is not a mail that can be read", mail.display()))?;
    if json {
        println!("{}", serde_json::to_string_pretty(&explanation)?);
    } else {
        print!("{}", explanation.text());
    }
    Ok(())
}
