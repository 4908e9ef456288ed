//! Replies to applicants: text from the templates, headers for threading and
//! for loop prevention (RFC 3834).

use std::collections::BTreeMap;

use lettre::Message;
use lettre::message::header::{ContentType, Header, HeaderName, HeaderValue};
use lettre::message::{Attachment, Mailbox, MessageBuilder, MultiPart, SinglePart};
use serde::Serialize;
use tera::Context;

use crate::answers::question_block;
use crate::config::Settings;
use crate::domain::{Flip, reply_subject};
use crate::ingest::{Inbound, Sender};
use crate::lang::Lang;
use crate::privacy::export::Export;
use crate::questions::{Invalid, Kind, QuestionSet};
use crate::render::{RenderError, Templates};
use crate::token::Key;

mod earlier;
mod privacy;

#[derive(Debug, thiserror::Error)]
pub enum ComposeError {
    #[error(transparent)]
    Render(#[from] RenderError),
    #[error("cannot build the reply: {0}")]
    Build(String),
}

/// `Auto-Submitted: auto-replied`, so that other robots do not answer us.
#[derive(Debug, Clone)]
struct AutoSubmitted;

impl Header for AutoSubmitted {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("Auto-Submitted")
    }
    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self)
    }
    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "auto-replied".to_string())
    }
}

/// `Content-Language` (RFC 3282): the language the mail is written in,
/// so that clients offer translation and screen readers pick a voice.
#[derive(Debug, Clone)]
struct ContentLanguage(&'static str);

impl Header for ContentLanguage {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("Content-Language")
    }
    fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Lang::from_tag(s)
            .map(|l| Self(l.code()))
            .ok_or_else(|| format!("not a language we write: {s}").into())
    }
    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), self.0.to_string())
    }
}

#[derive(Debug, Serialize)]
struct Item {
    number: usize,
    prompt: String,
    value: String,
}

#[derive(Debug, Serialize)]
struct InvalidItem {
    block: String,
    reason: String,
}

/// A reply ready for the outbox.
#[derive(Debug, Clone)]
pub struct Composed {
    /// Message-ID without angle brackets.
    pub rfc822_id: String,
    pub bytes: Vec<u8>,
}

#[derive(Debug)]
pub struct Composer<'a> {
    /// The intake and its questions; a full `Config` gives them too.
    pub config: &'a Settings,
    pub templates: &'a Templates,
    /// The language the mails are written in (one of `intake.languages`).
    pub lang: Lang,
}

/// Lines of our built-in mails as earlier versions wrote them: applicants
/// who got those mails still quote them, and the reader must know them as
/// ours (the reply fixtures quote them too).
pub const EARLIER_LINES: &[&str] = &[
    "or start lines with the question number, as in \"2. Europe\".",
    "start lines with the question number, like \"2. Europe\".",
    "the new answer, like \"2. Europe\". Nothing else is needed.",
    "Your answers are kept on the working group's own mail server and",
    "database only. Reply to this mail with one word to:",
];

/// An example of a numbered answer line in `lang`, from the questions
/// themselves: the number and a choice of the first choice question
/// ("2. Europe"), else the number and "yes" of the first yes-or-no
/// question, else "1. " and a plain "your answer"; only questions
/// without a condition are taken.
pub fn example_answer(questions: &QuestionSet, lang: Lang) -> String {
    // Only a question every applicant is asked: an example from a
    // conditional one ("5. yes" to a visa question for Europe) would tell
    // an applicant from Asia to answer what does not apply to her, and
    // hint at how others answer it.
    let numbered = || {
        questions
            .iter()
            .enumerate()
            .map(|(i, q)| (i + 1, q))
            .filter(|(_, q)| q.condition().is_none())
    };
    let choice = numbered().find(|(_, q)| matches!(q.kind, Kind::Choice | Kind::Choices));
    if let Some((n, q)) = choice {
        let choices = q.choices_in(lang);
        // The third when there are three or more: a pick from the middle
        // of the list (for the working group's own call, the "2. Europe"
        // its mails always showed).
        if let Some(c) = choices.get(2.min(choices.len().saturating_sub(1))) {
            return format!("{n}. {c}");
        }
    }
    if let Some((n, _)) = numbered().find(|(_, q)| q.kind == Kind::Yesno) {
        return format!("{n}. {}", lang.words().yes);
    }
    format!("1. {}", lang.words().answer)
}

/// A time in `lang`: "30 November 2026, 12:00 UTC" and its kin.
fn when(t: chrono::DateTime<chrono::Utc>, lang: Lang) -> String {
    use chrono::Datelike;
    let month = lang.words().months[t.month0() as usize];
    let clock = t.format("%H:%M");
    match lang {
        Lang::En | Lang::Fr => format!("{} {month} {}, {clock} UTC", t.day(), t.year()),
        Lang::Es => format!("{} de {month} de {}, {clock} UTC", t.day(), t.year()),
        Lang::De => format!("{}. {month} {}, {clock} UTC", t.day(), t.year()),
    }
}

fn indent(value: &str) -> String {
    value
        .lines()
        .map(|l| {
            if l.trim().is_empty() {
                String::new()
            } else {
                format!("   {l}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The applicant's display name as it may go in our To header: control
/// characters (CR, LF, tab, U+2028, …) dropped and spaces collapsed, `None`
/// when nothing is left. A raw CR or LF makes lettre panic while writing
/// the header, and must never reach the wire as a header break.
fn display_name(name: &str) -> Option<String> {
    let words: Vec<&str> = name
        .split(|c: char| c.is_control() || c.is_whitespace())
        .filter(|w| !w.is_empty())
        .collect();
    (!words.is_empty()).then(|| words.join(" "))
}

impl Composer<'_> {
    /// The same composer writing in `lang`.
    pub fn in_lang(&self, lang: Lang) -> Composer<'_> {
        Composer {
            config: self.config,
            templates: self.templates,
            lang,
        }
    }

    fn base(&self, applicant_name: Option<&str>) -> Context {
        let mut ctx = Context::new();
        ctx.insert("intake_name", &self.config.intake.name);
        ctx.insert("applicant_name", &applicant_name);
        ctx.insert(
            "closes_at",
            &self.config.intake.closes_at.map(|c| when(c, self.lang)),
        );
        ctx.insert(
            "example",
            &example_answer(&self.config.questions, self.lang),
        );
        // What the privacy line may truthfully say of this deployment.
        privacy::facts(self.config, &mut ctx);
        ctx
    }

    fn render(&self, name: &str, ctx: &Context) -> Result<String, RenderError> {
        self.templates.render_in(self.lang, name, ctx)
    }

    /// The flip's lines: the questions that now apply, each with the
    /// question block the first mail shows (optional ones marked so:
    /// they are asked, not required), leaving out those `shown` already
    /// (with a problem); the changed answers that are why, and the
    /// questions that no longer apply, by number.
    fn insert_flip(&self, ctx: &mut Context, flip: &Flip, shown: &BTreeMap<String, Invalid>) {
        let now: Vec<String> = flip
            .now_apply
            .iter()
            .filter(|id| !shown.contains_key(*id))
            .cloned()
            .collect();
        let optional = self.lang.words().optional;
        let blocks: Vec<String> = self
            .config
            .questions
            .iter()
            .enumerate()
            .filter(|(_, q)| now.contains(&q.id))
            .map(|(i, q)| {
                let mut block = question_block(q, i + 1, &self.config.questions, self.lang);
                if !q.required
                    && let Some(first) = block.first_mut()
                {
                    first.push(' ');
                    first.push_str(optional);
                }
                block.join("\n")
            })
            .collect();
        ctx.insert("now_apply", &blocks);
        ctx.insert("because", &self.numbers(&flip.because));
        ctx.insert("because_count", &flip.because.len());
        ctx.insert("no_longer", &self.numbers(&flip.no_longer));
        ctx.insert("no_longer_count", &flip.no_longer.len());
    }

    /// Question numbers as a sentence lists them in the mail's language:
    /// "3", "3 and 4", "2, 3 and 4"; empty for none.
    fn numbers(&self, ids: &[String]) -> String {
        let n: Vec<String> = ids
            .iter()
            .filter_map(|id| self.config.questions.number_of(id))
            .map(|n| n.to_string())
            .collect();
        match n.split_last() {
            None => String::new(),
            Some((last, [])) => last.clone(),
            Some((last, rest)) => format!("{} {} {last}", rest.join(", "), self.lang.words().and),
        }
    }

    fn blocks(&self, ids: Option<&[String]>) -> Vec<String> {
        self.config
            .questions
            .iter()
            .enumerate()
            .filter(|(_, q)| ids.is_none_or(|ids| ids.contains(&q.id)))
            .map(|(i, q)| question_block(q, i + 1, &self.config.questions, self.lang).join("\n"))
            .collect()
    }

    fn items(&self, current: &BTreeMap<String, String>) -> Vec<Item> {
        self.config
            .questions
            .iter()
            .enumerate()
            .filter_map(|(i, q)| {
                current.get(&q.id).map(|v| Item {
                    number: i + 1,
                    prompt: q.prompt_in(self.lang).to_string(),
                    // In the applicant's language: a choice as she was
                    // offered it, not the canonical one the store keeps.
                    value: indent(&q.shown_in(v, self.lang)),
                })
            })
            .collect()
    }

    pub fn questions_text(&self, name: Option<&str>, again: bool) -> Result<String, ComposeError> {
        let mut ctx = self.base(name);
        ctx.insert("again", &again);
        ctx.insert("blocks", &self.blocks(None));
        Ok(self.render("questions.txt", &ctx)?)
    }

    pub fn confirmation_text(
        &self,
        name: Option<&str>,
        current: &BTreeMap<String, String>,
        complete: bool,
        flip: &Flip,
    ) -> Result<String, ComposeError> {
        let mut ctx = self.base(name);
        ctx.insert("complete", &complete);
        self.insert_flip(&mut ctx, flip, &BTreeMap::new());
        ctx.insert("items", &self.items(current));
        Ok(self.render("confirmation.txt", &ctx)?)
    }

    pub fn problems_text(
        &self,
        name: Option<&str>,
        current: &BTreeMap<String, String>,
        stored_now: usize,
        missing: &[String],
        invalid: &BTreeMap<String, Invalid>,
        flip: &Flip,
    ) -> Result<String, ComposeError> {
        let mut ctx = self.base(name);
        ctx.insert("stored", &stored_now);
        // A question both missing and refused is shown once, with its
        // problem; one that now applies, once, with the flip.
        self.insert_flip(&mut ctx, flip, invalid);
        let missing: Vec<String> = missing
            .iter()
            .filter(|id| !invalid.contains_key(*id) && !flip.now_apply.contains(id))
            .cloned()
            .collect();
        ctx.insert("missing", &self.blocks(Some(&missing)));
        let invalid_items: Vec<InvalidItem> = self
            .config
            .questions
            .iter()
            .enumerate()
            .filter_map(|(i, q)| {
                invalid.get(&q.id).map(|why| InvalidItem {
                    block: question_block(q, i + 1, &self.config.questions, self.lang).join("\n"),
                    reason: why.words_in(i + 1, self.lang),
                })
            })
            .collect();
        ctx.insert("invalid", &invalid_items);
        // "What we stored so far" lists what counts, beside "We stored N
        // answers": a failing answer (kept as given, for staff) is shown
        // once, above, with its problem, not again as if accepted. An
        // answer refused unstored leaves the kept one, which still counts.
        let failing = crate::domain::assess(current, &self.config.questions).failing;
        let accepted: BTreeMap<String, String> = current
            .iter()
            .filter(|(id, _)| !failing.contains_key(*id))
            .map(|(id, v)| (id.clone(), v.clone()))
            .collect();
        ctx.insert("items", &self.items(&accepted));
        Ok(self.render("problems.txt", &ctx)?)
    }

    /// The text of every kind of mail we send, in every configured
    /// language, with no applicant data: what the answer extractor must
    /// recognise as ours when it is quoted back (with [`EARLIER_LINES`]).
    pub fn our_texts(&self) -> Result<Vec<String>, ComposeError> {
        let mut out = Vec::new();
        for lang in self.config.questions.languages().iter() {
            let c = self.in_lang(lang);
            out.extend(c.texts_of_one_language()?);
            out.extend(earlier::texts(lang, &c.base(None)));
        }
        Ok(out)
    }

    fn texts_of_one_language(&self) -> Result<Vec<String>, ComposeError> {
        let all: Vec<String> = self.config.questions.iter().map(|q| q.id.clone()).collect();
        let none = BTreeMap::new();
        let no_flip = Flip::default();
        let mut texts = vec![
            self.questions_text(None, false)?,
            self.questions_text(None, true)?,
            self.confirmation_text(None, &none, true, &no_flip)?,
            self.confirmation_text(None, &none, false, &no_flip)?,
            self.problems_text(None, &none, 0, &all, &BTreeMap::new(), &no_flip)?,
            self.closed_text(None)?,
            self.attachment_text(None, &[])?,
            self.simple_text("confirm-address.txt", None)?,
            self.simple_text("confirm-withdraw.txt", None)?,
            self.simple_text("confirm-data.txt", None)?,
            self.simple_text("confirm-erase.txt", None)?,
            self.simple_text("withdrawn.txt", None)?,
            self.data_copy_text(&Export::default())?,
        ];
        // A flip's lines in each of their forms (one question or several,
        // with and without the answer that is why), and every question's
        // block as a flip asks it (optional ones marked); the refused
        // answers' heading, which follows the flip's blocks.
        let one: Vec<String> = all.iter().take(1).cloned().collect();
        let refused: BTreeMap<String, Invalid> = one
            .iter()
            .map(|id| (id.clone(), Invalid::Kind(crate::questions::Wrong::Empty)))
            .collect();
        for flip in [
            Flip {
                because: all.clone(),
                now_apply: all.clone(),
                no_longer: all.clone(),
            },
            Flip {
                because: one.clone(),
                now_apply: one.clone(),
                no_longer: one,
            },
            Flip {
                because: Vec::new(),
                now_apply: all.clone(),
                no_longer: Vec::new(),
            },
        ] {
            texts.push(self.confirmation_text(None, &none, true, &flip)?);
            texts.push(self.problems_text(None, &none, 0, &all, &BTreeMap::new(), &flip)?);
            texts.push(self.problems_text(None, &none, 0, &all, &refused, &flip)?);
        }
        Ok(texts)
    }

    pub fn attachment_text(
        &self,
        name: Option<&str>,
        files: &[String],
    ) -> Result<String, ComposeError> {
        let mut ctx = self.base(name);
        ctx.insert("files", &files.join(", "));
        ctx.insert("blocks", &self.blocks(None));
        Ok(self.render("attachment.txt", &ctx)?)
    }

    /// The text of the data copy: the application's standing and current
    /// answers, and how many mails each way; the whole of it, every mail
    /// included, is the attached JSON.
    pub fn data_copy_text(&self, export: &Export) -> Result<String, ComposeError> {
        let app = export.application.as_ref();
        let mut ctx = self.base(app.and_then(|a| a.name.as_deref()));
        // As staff see it: a stored complete/incomplete follows the answers.
        ctx.insert(
            "status",
            &app.map(|a| {
                use crate::domain::Status;
                let statuses = self.lang.words().statuses;
                match crate::domain::standing(a.status, &a.answers, &self.config.questions) {
                    Status::Complete => statuses[0],
                    Status::Incomplete => statuses[1],
                    Status::Unconfirmed => statuses[2],
                    Status::Withdrawn => statuses[3],
                }
            }),
        );
        let none = BTreeMap::new();
        ctx.insert("items", &self.items(app.map_or(&none, |a| &a.answers)));
        ctx.insert("versions", &export.answer_history.len());
        ctx.insert("held", &export.held_answers.len());
        ctx.insert("mails", &export.mails.len());
        ctx.insert("replies", &export.replies.len());
        Ok(self.render("data-copy.txt", &ctx)?)
    }

    /// A mail from `template` that needs only the intake's name, the
    /// closing time and the applicant's (`name`): the confirm requests
    /// (which name no one: the From may be forged) and notices.
    pub fn simple_text(&self, template: &str, name: Option<&str>) -> Result<String, ComposeError> {
        Ok(self.render(template, &self.base(name))?)
    }

    pub fn closed_text(&self, name: Option<&str>) -> Result<String, ComposeError> {
        Ok(self.render("closed.txt", &self.base(name))?)
    }

    /// The headers of a reply to `inbound`: threaded, marked automatic,
    /// its Message-ID (returned without angle brackets) carrying a token
    /// for `to`.
    fn headers(
        &self,
        key: &Key,
        to: &Sender,
        inbound: &Inbound,
    ) -> Result<(MessageBuilder, String), ComposeError> {
        let build = |e: &dyn std::fmt::Display| ComposeError::Build(e.to_string());
        let team: lettre::Address = self.config.intake.address.parse().map_err(|e| build(&e))?;
        let rcpt: lettre::Address = to.address.parse().map_err(|e| build(&e))?;
        let rfc822_id = key.message_id(&to.address, self.config.intake.domain());
        let mut b = Message::builder()
            .from(Mailbox::new(Some(self.config.intake.name.clone()), team))
            .to(Mailbox::new(
                to.name.as_deref().and_then(display_name),
                rcpt,
            ))
            .subject(reply_subject(&inbound.subject, &self.config.intake.name))
            .message_id(Some(format!("<{rfc822_id}>")))
            .date_now()
            .header(AutoSubmitted)
            .header(ContentLanguage(self.lang.code()));
        if let Some(parent) = &inbound.message_id {
            let mut refs: Vec<String> = inbound
                .references
                .iter()
                .map(|r| format!("<{r}>"))
                .collect();
            let parent_ref = format!("<{parent}>");
            if !refs.contains(&parent_ref) {
                refs.push(parent_ref.clone());
            }
            b = b.in_reply_to(parent_ref).references(refs.join(" "));
        }
        Ok((b, rfc822_id))
    }

    /// Like [`Composer::message`], with `json` attached as `file_name`
    /// (`application/json`): a data copy.
    pub fn message_with_json(
        &self,
        key: &Key,
        to: &Sender,
        inbound: &Inbound,
        text: String,
        file_name: &str,
        json: String,
    ) -> Result<Composed, ComposeError> {
        let build = |e: &dyn std::fmt::Display| ComposeError::Build(e.to_string());
        let (b, rfc822_id) = self.headers(key, to, inbound)?;
        let json_type = ContentType::parse("application/json").map_err(|e| build(&e))?;
        let msg = b
            .multipart(
                MultiPart::mixed()
                    .singlepart(
                        SinglePart::builder()
                            .header(ContentType::TEXT_PLAIN)
                            .body(text),
                    )
                    .singlepart(Attachment::new(file_name.to_string()).body(json, json_type)),
            )
            .map_err(|e| build(&e))?;
        Ok(Composed {
            rfc822_id,
            bytes: msg.formatted(),
        })
    }

    /// Wraps `text` in a reply to `inbound`, threaded and marked automatic.
    /// The Message-ID carries a token for `to` made with `key`
    /// ([`Key::message_id`]): a reply to it vouches for the address.
    pub fn message(
        &self,
        key: &Key,
        to: &Sender,
        inbound: &Inbound,
        text: String,
    ) -> Result<Composed, ComposeError> {
        let build = |e: &dyn std::fmt::Display| ComposeError::Build(e.to_string());
        let (b, rfc822_id) = self.headers(key, to, inbound)?;
        let b = b.header(ContentType::TEXT_PLAIN);
        let msg = b.body(text).map_err(|e| build(&e))?;
        Ok(Composed {
            rfc822_id,
            bytes: msg.formatted(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    pub(super) fn config(dir: &Path) -> Settings {
        config_with(
            dir,
            "[[question]]\nid = \"name\"\nprompt = \"Name?\"\nrequired = true\n\
             [[question]]\nid = \"region\"\nprompt = \"Region?\"\nkind = \"choice\"\nchoices = [\"Africa\", \"Asia\"]\nrequired = true\n",
        )
    }

    pub(super) fn config_with(dir: &Path, questions: &str) -> Settings {
        std::fs::write(dir.join("q.toml"), questions).expect("write");
        let text = "[intake]\naddress = \"t@example.org\"\nname = \"Group\"\nquestions = \"q.toml\"\n\
                    [imap]\nhost = \"h\"\nusername = \"u\"\npassword = \"p\"\n[smtp]\nhost = \"h\"\n\
                    [database]\nurl = \"sqlite://x.db\"\n";
        Settings::from_str_at(text, &dir.join("c.toml")).expect("config")
    }

    /// A problems mail's copy of what was stored lists the accepted
    /// answers only: a refused one is named once, with its problem, so
    /// the list agrees with "We stored 1 answer".
    #[test]
    fn a_refused_answer_is_not_listed_as_stored() {
        let dir = tempfile::tempdir().expect("tempdir");
        let config = config(dir.path());
        let templates = Templates::load(None).expect("templates");
        let c = Composer {
            config: &config,
            templates: &templates,
            lang: Lang::En,
        };
        let current: BTreeMap<String, String> = [
            ("name".to_string(), "Ada".to_string()),
            ("region".to_string(), "Mars".to_string()),
        ]
        .into();
        let invalid: BTreeMap<String, Invalid> = [(
            "region".to_string(),
            Invalid::Kind(crate::questions::Wrong::NotAChoice("Mars".into())),
        )]
        .into();
        let text = c
            .problems_text(Some("Ada"), &current, 1, &[], &invalid, &Flip::default())
            .expect("problems");
        assert!(text.contains("We stored 1 answer."), "{text}");
        let (above, copy) = text.split_once("What we stored so far:").expect(&text);
        assert!(
            above.contains("Problem: `Mars` is not one of the choices"),
            "{text}"
        );
        assert!(copy.contains("1. Name?\n   Ada\n"), "{text}");
        assert!(!copy.contains("Mars"), "{text}");

        // Refused unstored, with a good answer kept from before: the kept
        // one is still what counts, and is listed.
        let kept: BTreeMap<String, String> = [
            ("name".to_string(), "Ada".to_string()),
            ("region".to_string(), "Asia".to_string()),
        ]
        .into();
        let text = c
            .problems_text(Some("Ada"), &kept, 0, &[], &invalid, &Flip::default())
            .expect("problems");
        let (_, copy) = text.split_once("What we stored so far:").expect(&text);
        assert!(copy.contains("2. Region?\n   Asia\n"), "{text}");
    }

    /// Mails read as a person wrote them: no stray blank lines, whatever
    /// mix of sections a reply has.
    #[test]
    fn mails_have_no_runs_of_blank_lines() {
        let dir = tempfile::tempdir().expect("tempdir");
        let config = config(dir.path());
        let templates = Templates::load(None).expect("templates");
        let c = Composer {
            config: &config,
            templates: &templates,
            lang: Lang::En,
        };
        let mut stored = BTreeMap::new();
        stored.insert("name".to_string(), "Ada\n\nLovelace".to_string());
        let mut invalid = BTreeMap::new();
        invalid.insert(
            "region".to_string(),
            Invalid::Kind(crate::questions::Wrong::NotAChoice("Mars".into())),
        );
        let mut texts = Vec::new();
        for lang in Lang::ALL {
            texts.extend(c.in_lang(lang).texts_of_one_language().expect("texts"));
        }
        texts.push(
            c.problems_text(
                Some("Ada"),
                &stored,
                1,
                &["region".into()],
                &invalid,
                &Flip::default(),
            )
            .expect("problems"),
        );
        texts.push(
            c.problems_text(
                None,
                &BTreeMap::new(),
                0,
                &["name".into(), "region".into()],
                &BTreeMap::new(),
                &Flip::default(),
            )
            .expect("problems"),
        );
        texts.push(
            c.problems_text(None, &stored, 0, &[], &invalid, &Flip::default())
                .expect("problems"),
        );
        texts.push(
            c.confirmation_text(Some("Ada"), &stored, true, &Flip::default())
                .expect("confirmation"),
        );
        assert!(texts[texts.len() - 4].contains("Problem: `Mars`"));
        // A flip with and without the rest of each mail, in each language.
        let flips = [
            Flip {
                because: vec!["name".into()],
                now_apply: vec!["region".into()],
                no_longer: Vec::new(),
            },
            Flip {
                because: vec!["name".into()],
                now_apply: Vec::new(),
                no_longer: vec!["region".into()],
            },
            Flip {
                because: vec!["name".into()],
                now_apply: vec!["region".into()],
                no_longer: vec!["name".into(), "region".into()],
            },
        ];
        for lang in Lang::ALL {
            let c = c.in_lang(lang);
            for flip in &flips {
                for current in [&stored, &BTreeMap::new()] {
                    texts.push(c.confirmation_text(None, current, true, flip).expect("c"));
                    for (missing, invalid) in [
                        (vec!["region".to_string()], BTreeMap::new()),
                        (Vec::new(), invalid.clone()),
                    ] {
                        texts.push(
                            c.problems_text(None, current, 1, &missing, &invalid, flip)
                                .expect("p"),
                        );
                    }
                }
            }
        }
        for t in &texts {
            assert!(!t.contains("\n\n\n"), "runs of blank lines in:\n{t}");
            assert!(t.ends_with("-- \nGroup\n"), "signature:\n{t}");
        }
    }
}

#[cfg(test)]
mod example {
    use super::*;

    fn qs(text: &str) -> QuestionSet {
        QuestionSet::parse(text, std::path::Path::new("q.toml")).expect("questions")
    }

    /// The example comes from a question every applicant is asked: a
    /// conditional question, however early, is passed over.
    #[test]
    fn the_example_answer_is_from_a_question_everyone_is_asked() {
        let region = "[[question]]\nid = \"region\"\nprompt = \"Region?\"\nkind = \"choice\"\n\
                      choices = [\"Africa\", \"Asia\", \"Europe\"]\n";
        let member = "[[question]]\nid = \"member\"\nprompt = \"Member?\"\nkind = \"yesno\"\n";
        let city = "[[question]]\nid = \"city\"\nprompt = \"City?\"\nkind = \"choice\"\n\
                    choices = [\"Rome\", \"Paris\", \"Oslo\"]\nwhen = { member = \"yes\" }\n";
        let name = "[[question]]\nid = \"name\"\nprompt = \"Name?\"\n";
        let table: &[(Vec<&str>, &str)] = &[
            // Unconditional: the first choice question.
            (vec![name, region, member], "2. Europe"),
            // A conditional choice question before an unconditional one.
            (vec![member, city, region], "3. Europe"),
            // No unconditional choice question: the first yes-or-no one,
            // not the conditional choice question after it.
            (vec![name, member, city], "2. yes"),
        ];
        for (parts, want) in table {
            assert_eq!(
                example_answer(&qs(&parts.concat()), Lang::En),
                *want,
                "{parts:?}"
            );
        }
    }
}

#[cfg(test)]
mod flip {
    use super::tests::config_with;
    use super::*;

    /// Europe asks whether a visa is needed (required) and a city
    /// (optional).
    const QUESTIONS: &str = r#"
[[question]]
id = "name"
prompt = "Name?"
required = true

[[question]]
id = "region"
prompt = "Region?"
kind = "choice"
choices = ["Europe", "Africa", "Asia"]
required = true

[[question]]
id = "visa"
prompt = "Do you need a visa?"
kind = "yesno"
required = true
when = { region = "Europe" }

[[question]]
id = "city"
prompt = "Which city would you like to meet in?"
help = "Any city in Europe."
when = { region = "Europe" }
"#;

    fn ids(ids: &[&str]) -> Vec<String> {
        ids.iter().map(|s| s.to_string()).collect()
    }

    fn stored(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn flip(because: &[&str], now_apply: &[&str], no_longer: &[&str]) -> Flip {
        Flip {
            because: ids(because),
            now_apply: ids(now_apply),
            no_longer: ids(no_longer),
        }
    }

    /// The follow-up asks what now applies with the first mail's block,
    /// an optional question marked so, and names what no longer applies.
    #[test]
    fn the_follow_up_asks_what_now_applies_as_the_first_mail_does() {
        let dir = tempfile::tempdir().expect("tempdir");
        let config = config_with(dir.path(), QUESTIONS);
        let templates = Templates::load(None).expect("templates");
        let c = Composer {
            config: &config,
            templates: &templates,
            lang: Lang::En,
        };
        let first = c.questions_text(None, false).expect("questions");
        let city = "4. Which city would you like to meet in?\n   \
                    Answer only if you answered Europe to 2.\n   Any city in Europe.";
        assert!(first.contains(city), "{first}");

        // Europe, the visa answered: a confirmation asking the city.
        let europe = stored(&[("name", "Ada"), ("region", "Europe"), ("visa", "no")]);
        let text = c
            .confirmation_text(
                Some("Ada"),
                &europe,
                true,
                &flip(&["region"], &["city"], &[]),
            )
            .expect("confirmation");
        assert!(
            text.contains(
                "is complete.\n\nBecause of your answer to 2, this question now applies to you.\n\
                 Please answer it in a reply to this mail.\n\n\
                 4. Which city would you like to meet in? (optional)\n   \
                 Answer only if you answered Europe to 2.\n   Any city in Europe.\n\n\
                 This is a copy of what we stored:"
            ),
            "{text}"
        );

        // Europe alone: the problems mail asks both, each once.
        let text = c
            .problems_text(
                Some("Ada"),
                &stored(&[("name", "Ada"), ("region", "Europe")]),
                1,
                &ids(&["visa"]),
                &BTreeMap::new(),
                &flip(&["region"], &["visa", "city"], &[]),
            )
            .expect("problems");
        assert!(
            text.contains(
                "Because of your answer to 2, these questions now apply to you.\n\
                 Please answer them in a reply to this mail.\n\n\
                 3. Do you need a visa? (required)\n"
            ),
            "{text}"
        );
        assert_eq!(text.matches("3. Do you need a visa?").count(), 1, "{text}");
        assert!(text.contains("4. Which city would you like to meet in? (optional)"));
        assert!(!text.contains("still need an answer"), "{text}");

        // Back to Asia: the kept answers are named by number, not shown.
        let asia = stored(&[("name", "Ada"), ("region", "Asia"), ("visa", "no")]);
        let shown = stored(&[("name", "Ada"), ("region", "Asia")]);
        let text = c
            .confirmation_text(
                None,
                &shown,
                true,
                &flip(&["region"], &[], &["visa", "city"]),
            )
            .expect("confirmation");
        assert!(
            text.contains(
                "is complete.\n\nQuestions 3 and 4 no longer apply to you; your answers to them are\n\
                 kept, but no longer needed.\n\nThis is a copy of what we stored:"
            ),
            "{text}"
        );
        assert!(!text.contains("Do you need a visa"), "{text}");
        let text = c
            .problems_text(
                None,
                &asia,
                0,
                &ids(&["name"]),
                &BTreeMap::new(),
                &flip(&["region"], &[], &["visa"]),
            )
            .expect("problems");
        assert!(
            text.contains(
                "We stored 0 answers.\nQuestion 3 no longer applies to you; your answer to it is kept,\n\
                 but no longer needed.\n\nThese questions still need an answer:"
            ) || text.contains(
                "reply to the Group.\nQuestion 3 no longer applies to you; your answer to it is kept,\n\
                 but no longer needed.\n\nThese questions still need an answer:"
            ),
            "{text}"
        );
        // French: the same lines, by hand.
        let text = c
            .in_lang(Lang::Fr)
            .confirmation_text(None, &shown, true, &flip(&["region"], &["city"], &["visa"]))
            .expect("confirmation");
        assert!(
            text.contains(
                "La question 3 ne vous concerne plus ; votre réponse est\n\
                 conservée, mais n'est plus nécessaire.\n\n\
                 Suite à votre réponse à la question 2, cette question vous concerne désormais."
            ),
            "{text}"
        );
        assert!(text.contains("(facultative)"), "{text}");
    }

    fn quoted(text: &str) -> String {
        text.lines()
            .map(|l| {
                if l.is_empty() {
                    ">".to_string()
                } else {
                    format!("> {l}")
                }
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// A reply quoting a follow-up that asks what now applies is read as
    /// any other: the answer typed under the new block, or numbered above
    /// the quote, is the question's; the quoted flip lines are nobody's
    /// answer.
    #[test]
    fn a_reply_quoting_the_flip_is_read() {
        let dir = tempfile::tempdir().expect("tempdir");
        let config = config_with(dir.path(), QUESTIONS);
        let templates = Templates::load(None).expect("templates");
        let c = Composer {
            config: &config,
            templates: &templates,
            lang: Lang::En,
        };
        let reader = crate::extractor(&config, &templates).expect("extractor");
        let europe = stored(&[("name", "Ada"), ("region", "Europe"), ("visa", "no")]);
        let asked = c
            .confirmation_text(
                Some("Ada"),
                &europe,
                true,
                &flip(&["region"], &["city"], &["name"]),
            )
            .expect("confirmation");
        let problems = c
            .problems_text(
                Some("Ada"),
                &stored(&[("name", "Ada"), ("region", "Europe")]),
                1,
                &ids(&["visa"]),
                &BTreeMap::new(),
                &flip(&["region"], &["visa", "city"], &["name"]),
            )
            .expect("problems");
        // With a refused answer too: the flip's lines come before any
        // other block, so no line of them follows a question's block
        // where a line not ours would be an answer typed in the quote.
        let mut invalid = BTreeMap::new();
        invalid.insert(
            "name".to_string(),
            Invalid::Kind(crate::questions::Wrong::NotAChoice("Ad".into())),
        );
        let refused = c
            .problems_text(
                Some("Ada"),
                &stored(&[("region", "Europe")]),
                0,
                &ids(&["visa"]),
                &invalid,
                &flip(&["region"], &["visa", "city"], &["name"]),
            )
            .expect("problems");
        assert!(refused.contains("(optional)"), "{refused}");
        let attribution = "On Mon, 30 Nov 2026 at 12:00, Group <t@example.org> wrote:";
        let outlook = "From: Group <t@example.org>\nSent: Monday, 30 November 2026 12:00\n\
                       To: ada@example.net\nSubject: Apply";
        for mail in [&asked, &problems, &refused] {
            // Nothing typed: the quoted follow-up holds no answer, nor a
            // copy of it under an Outlook header block.
            let body = format!("Thank you!\n\n{attribution}\n{}\n", quoted(mail));
            let read = reader.extract(&body);
            assert!(read.answers.is_empty(), "{:?}\n{body}", read.answers);
            // Under Outlook's header block the copy of what we stored is
            // read back as it was stored, as without a flip: it changes
            // nothing. (A refused answer's "Problem: …" line is read there
            // as a new answer with or without a flip: not tested here.)
            if !std::ptr::eq(mail, &refused) {
                let body = format!("Thank you!\n\n{outlook}\n\n{mail}\n");
                let read = reader.extract(&body);
                let copy = stored(&[("name", "Ada"), ("region", "Europe"), ("visa", "no")]);
                assert!(
                    read.answers.iter().all(|(k, v)| copy.get(k) == Some(v)),
                    "{:?}\n{body}",
                    read.answers
                );
            }

            // Typed under the new block, inside the reply.
            let under = quoted(mail).replace(
                ">    Any city in Europe.\n",
                ">    Any city in Europe.\nBerlin, if I may\n",
            );
            let body = format!("{attribution}\n{under}\n");
            let read = reader.extract(&body);
            assert_eq!(
                read.answers,
                stored(&[("city", "Berlin, if I may")]),
                "{body}"
            );

            // Numbered above the quote, the marks copied with the prompt.
            let body = format!(
                "4. Which city would you like to meet in? (optional) Berlin\n3. no\n\n\
                 {attribution}\n{}\n",
                quoted(mail)
            );
            let read = reader.extract(&body);
            assert_eq!(
                read.answers,
                stored(&[("city", "Berlin"), ("visa", "no")]),
                "{body}"
            );
        }
    }
}

#[cfg(test)]
mod words_tests;

#[cfg(test)]
mod header_injection {
    use super::*;
    use crate::ingest::HeaderFacts;
    use mail_parser::{HeaderName as H, MessageParser};

    fn inbound(subject: &str, message_id: &str) -> Inbound {
        Inbound {
            message_id: Some(message_id.into()),
            from: None,
            subject: subject.into(),
            date: None,
            parent_ids: vec![],
            references: vec![message_id.into()],
            body: String::new(),
            body_source: String::new(),
            content_language: None,
            attachments: vec![],
            files: vec![],
            facts: HeaderFacts::default(),
            auth_results: vec![],
        }
    }

    /// The reply to a mail from `name` about `subject`, as a mail server
    /// reads it: each header's name (lower case, in order), and the parsed
    /// message.
    fn reply_to(name: &str, subject: &str) -> (Vec<String>, mail_parser::Message<'static>) {
        reply_to_id(name, subject, "m1@example.net")
    }

    fn reply_to_id(
        name: &str,
        subject: &str,
        message_id: &str,
    ) -> (Vec<String>, mail_parser::Message<'static>) {
        let dir = tempfile::tempdir().expect("tempdir");
        let config = super::tests::config(dir.path());
        let templates = Templates::load(None).expect("templates");
        let c = Composer {
            config: &config,
            templates: &templates,
            lang: Lang::En,
        };
        let to = Sender {
            address: "eve@example.net".into(),
            name: Some(name.into()),
        };
        let bytes = c
            .message(
                &Key::random(),
                &to,
                &inbound(subject, message_id),
                "Thanks.\n".into(),
            )
            .expect("composed")
            .bytes;
        let msg = MessageParser::default()
            .parse(&bytes)
            .expect("parses")
            .into_owned();
        let names = msg
            .headers()
            .iter()
            .map(|h| h.name().to_ascii_lowercase())
            .collect();
        (names, msg)
    }

    fn recipients(msg: &mail_parser::Message<'_>) -> Vec<String> {
        [msg.to(), msg.cc(), msg.bcc()]
            .into_iter()
            .flatten()
            .flat_map(|a| a.iter())
            .filter_map(|a| a.address().map(str::to_string))
            .collect()
    }

    const HEADERS: [&str; 9] = [
        "from",
        "to",
        "subject",
        "message-id",
        "date",
        "auto-submitted",
        "content-language",
        "content-type",
        "in-reply-to",
    ];

    fn assert_intact(names: &[String], msg: &mail_parser::Message<'_>) {
        for n in names {
            assert!(
                HEADERS.contains(&n.as_str())
                    || ["references", "mime-version", "content-transfer-encoding"]
                        .contains(&n.as_str()),
                "an extra header {n:?}: {names:?}"
            );
        }
        let mut unique = names.to_vec();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), names.len(), "a header twice: {names:?}");
        assert_eq!(recipients(msg), ["eve@example.net"]);
        assert!(msg.header(H::Bcc).is_none());
        assert!(msg.header(H::Cc).is_none());
    }

    #[test]
    fn a_display_name_with_crlf_adds_no_header_and_no_recipient() {
        for name in [
            "Eve\r\nBcc: victim@example.com",
            "Eve\nBcc: victim@example.com",
            "Eve\rBcc: victim@example.com",
            "Eve\r\n\r\nInjected body",
            "Ève \u{2028}Bcc: victim@example.com",
            "Eve\", victim@example.com, \"x",
            "=?utf-8?q?Eve=0D=0ABcc:_victim@example.com?=",
        ] {
            let (names, msg) = reply_to(name, "Application");
            assert_intact(&names, &msg);
            assert_eq!(msg.subject(), Some("Re: Application"), "{name:?}");
            assert_eq!(msg.body_text(0).as_deref().map(str::trim), Some("Thanks."));
        }
    }

    #[test]
    fn a_subject_with_crlf_or_non_ascii_adds_no_header() {
        for subject in [
            "Hello\r\nBcc: victim@example.com",
            "Hello\nBcc: victim@example.com",
            "Hello\r\n\r\nInjected body",
            "Bewerbung für Müller\r\nBcc: victim@example.com",
            "応募\r\nCc: victim@example.com",
        ] {
            let (names, msg) = reply_to("Eve", subject);
            assert_intact(&names, &msg);
            let shown = msg.subject().expect("subject");
            assert!(shown.starts_with("Re: "), "{shown:?}");
            assert!(!shown.contains(['\r', '\n']), "{shown:?}");
            assert_eq!(msg.body_text(0).as_deref().map(str::trim), Some("Thanks."));
        }
        let (_, msg) = reply_to("Eve", "Bewerbung für Müller");
        assert_eq!(msg.subject(), Some("Re: Bewerbung für Müller"));
    }

    #[test]
    fn a_non_ascii_display_name_is_kept_and_encoded() {
        let (names, msg) = reply_to("Zoë Ñúñez 張", "Application");
        assert_intact(&names, &msg);
        let to = msg.to().and_then(|a| a.first()).expect("to");
        assert_eq!(to.name(), Some("Zoë Ñúñez 張"));
        assert_eq!(to.address(), Some("eve@example.net"));
        let (_, msg) = reply_to("Eve\r\nBcc: victim@example.com", "Application");
        let to = msg.to().and_then(|a| a.first()).expect("to");
        assert_eq!(to.name(), Some("Eve Bcc: victim@example.com"), "one line");
    }

    #[test]
    fn a_message_id_with_crlf_adds_no_header() {
        let (names, msg) = reply_to_id("Eve", "Application", "m1@x\r\nBcc: victim@example.com");
        assert_intact(&names, &msg);
    }
}
