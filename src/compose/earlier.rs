//! Lines of our built-in mails as earlier versions wrote them, with
//! the facts of this deployment in them: applicants who got those mails
//! still quote them, and the reader must know them as ours. The lines
//! with no fact in them are `super::EARLIER_LINES`.

use tera::Context;

use crate::lang::Lang;

/// The question mail's privacy paragraph and request words before they
/// said what the deployment does (retention, files on disk, delivery
/// copies) and, in French, Spanish and German, before the request words
/// were the language's own; and the French closing line before "seront
/// closes". Tera, rendered with the question mail's context.
const EARLIER: [(Lang, &str); 4] = [
    (
        Lang::En,
        r#"Your answers are kept only in {% if team_address %}the mailbox {{ team_address }}{% else %}the team's mailbox{% endif %}
and in the database of the {{ intake_name }}{% if database == "postgres" %} (PostgreSQL{% if database_host %} on {{ database_host }}{% endif %}){% elif database == "sqlite" %} (a file on the
machine that reads the mailbox){% endif %}. Reply to this mail with one word to:
- WITHDRAW: take your application back;
- MY DATA: get a copy of everything we store about you;
- DELETE: have all of it deleted (we ask you to confirm first)."#,
    ),
    (
        Lang::Fr,
        r#"{% if closes_at %}candidatures sont closes le {{ closes_at }}.{% endif %}
Vos réponses sont conservées uniquement dans {% if team_address %}la boîte aux lettres {{ team_address }}{% else %}la boîte aux lettres de l'équipe{% endif %}
et dans la base de données de {{ intake_name }}{% if database == "postgres" %} (PostgreSQL{% if database_host %} sur {{ database_host }}{% endif %}){% elif database == "sqlite" %} (un fichier sur la
machine qui lit cette boîte){% endif %}. Répondez à ce message par un seul mot pour :
- WITHDRAW : retirer votre candidature ;
- MY DATA : recevoir une copie de tout ce que nous conservons sur vous ;
- DELETE : faire tout effacer (nous vous demandons d'abord de confirmer)."#,
    ),
    (
        Lang::Es,
        r#"Sus respuestas se guardan solo en {% if team_address %}el buzón {{ team_address }}{% else %}el buzón del equipo{% endif %}
y en la base de datos de {{ intake_name }}{% if database == "postgres" %} (PostgreSQL{% if database_host %} en {{ database_host }}{% endif %}){% elif database == "sqlite" %} (un archivo en la
máquina que lee ese buzón){% endif %}. Responda a este correo con una sola palabra para:
- WITHDRAW: retirar su candidatura;
- MY DATA: recibir una copia de todo lo que guardamos sobre usted;
- DELETE: borrarlo todo (antes le pedimos que lo confirme)."#,
    ),
    (
        Lang::De,
        r#"Ihre Antworten werden nur im {% if team_address %}Postfach {{ team_address }}{% else %}Postfach des Teams{% endif %} und in der
Datenbank von {{ intake_name }} gespeichert{% if database == "postgres" %} (PostgreSQL{% if database_host %} auf {{ database_host }}{% endif %}){% elif database == "sqlite" %} (eine Datei auf
dem Rechner, der das Postfach liest){% endif %}. Antworten Sie auf diese E-Mail mit einem Wort, um:
- WITHDRAW: Ihre Bewerbung zurückzuziehen;
- MY DATA: eine Kopie von allem zu erhalten, was wir über Sie speichern;
- DELETE: alles löschen zu lassen (wir bitten Sie vorher um Bestätigung)."#,
    ),
];

/// The earlier lines of `lang`'s mails, rendered with `ctx` (the question
/// mail's context); nothing for a line that no longer renders.
pub(super) fn texts(lang: Lang, ctx: &Context) -> Vec<String> {
    EARLIER
        .iter()
        .filter(|(l, _)| *l == lang)
        .filter_map(|(_, template)| tera::Tera::one_off(template, ctx, false).ok())
        .collect()
}
