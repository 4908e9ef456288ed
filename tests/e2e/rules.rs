//! Rules and conditional questions through the real mail stack: each rule
//! kind refused in a reply (stored as given, named by number and rule in
//! plain words, the application incomplete), then accepted; a branch flip
//! (Europe asks the visa question and an optional city, Asia does not and
//! says their answers are kept but no longer needed, Africa counts the
//! visa answer again).

use super::common::Intake;

const RULE_QUESTIONS: &str = r#"
[[question]]
id = "name"
prompt = "What is your name?"
required = true
max_length = 40

[[question]]
id = "motivation"
prompt = "Why do you want to join?"
kind = "paragraph"
required = true
min_length = 50

[[question]]
id = "postcode"
prompt = "Your postcode?"
required = true
pattern = '[0-9]{5}'
help = "Five digits, like 10115."

[[question]]
id = "hours"
prompt = "How many hours a month can you give?"
kind = "number"
required = true
max = 40

[[question]]
id = "years"
prompt = "For how many years have you led groups?"
kind = "number"
required = true
min = 1

[[question]]
id = "languages"
prompt = "Which languages can you work in?"
kind = "choices"
choices = ["English", "French", "Spanish", "German"]
required = true
min_choices = 2

[[question]]
id = "topics"
prompt = "Which topics interest you most?"
kind = "choices"
choices = ["Mentoring", "Facilitation", "Governance", "Outreach"]
required = true
max_choices = 2
"#;

const BRANCH_QUESTIONS: &str = r#"
[[question]]
id = "name"
prompt = "What is your name?"
required = true

[[question]]
id = "region"
prompt = "Which region do you live in?"
kind = "choice"
choices = ["Europe", "Africa", "Asia"]
required = true

[[question]]
id = "visa"
prompt = "Do you need a visa to travel to the meeting in Brussels?"
kind = "yesno"
required = true
when = { region = ["Europe", "Africa"] }

[[question]]
id = "city"
prompt = "Which city in Europe would you like to meet in?"
when = { region = "Europe" }
"#;

fn intake(questions: &str) -> Intake {
    let intake = Intake::new();
    intake.write_questions(questions);
    intake
}

#[tokio::test(flavor = "multi_thread")]
async fn each_rule_kind_is_refused_in_plain_words_then_accepted() {
    let intake = intake(RULE_QUESTIONS);
    let (ada, q) = intake.asked("ada-rules").await;
    // The rules stand under their prompts, the pattern explained by help.
    for line in [
        "1. What is your name? (required)\n   At most 40 characters.",
        "2. Why do you want to join? (required)\n   Several sentences or paragraphs are welcome.\n   At least 50 characters.",
        "3. Your postcode? (required)\n   Five digits, like 10115.\n",
        "   A number.\n   At most 40.",
        "   A number.\n   At least 1.",
        "   At least 2 choices.",
        "   At most 2 choices.",
    ] {
        assert!(q.body.contains(line), "{line:?} in:\n{}", q.body);
    }

    let problems = intake
        .answer(
            &ada,
            "Ada Lovelace",
            &q,
            "1. Augusta Ada King, Countess of Lovelace, née Byron\n\
         2. I like it.\n\
         3. 10115 Berlin\n\
         4. 60\n\
         5. 0\n\
         6. English\n\
         7. Mentoring, Facilitation, Outreach",
            2,
        )
        .await;
    for why in [
        "Problem: Your answer to 1 has 49 characters; at most 40 are taken.",
        "Problem: Your answer to 2 has 10 characters; at least 50 are needed.",
        "Problem: Your answer to 3 is not in the form the question asks for (see the note under it).",
        "Problem: Your answer to 4 is 60; the largest number taken is 40.",
        "Problem: Your answer to 5 is 0; the smallest number taken is 1.",
        "Problem: Your answer to 6 has 1 choice; at least 2 are needed.",
        "Problem: Your answer to 7 has 3 choices; at most 2 are taken.",
    ] {
        assert!(
            problems.body.contains(why),
            "{why:?} in:\n{}",
            problems.body
        );
    }
    assert!(
        !problems
            .body
            .contains("These questions still need an answer"),
        "every question was answered:\n{}",
        problems.body
    );
    // Stored as given, incomplete, each named as failing; none missing.
    let app = intake.application(&ada).unwrap();
    assert_eq!(app["status"], "incomplete", "{app}");
    assert_eq!(app["missing"], serde_json::json!([]), "{app}");
    assert_eq!(app["answers"]["postcode"], "10115 Berlin");
    assert_eq!(app["answers"]["motivation"], "I like it.");
    assert_eq!(app["answers"]["languages"], "English");
    let failing: Vec<&str> = app["failing"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let mut want = [
        "name",
        "motivation",
        "postcode",
        "hours",
        "years",
        "languages",
        "topics",
    ];
    want.sort();
    assert_eq!(failing, want, "{app}");
    assert_eq!(
        app["failing"]["motivation"],
        "Your answer to 2 has 10 characters; at least 50 are needed."
    );

    // The same reply, mended, replying to the problems mail.
    let confirmation = intake
        .answer(
            &ada,
            "Ada Lovelace",
            &problems,
            "1. Ada Lovelace\n\
         2. I want to help new leaders grow, and I have run workshops.\n\
         3. 10115\n\
         4. about 6\n\
         5. 3\n\
         6. english and german\n\
         7. Mentoring, Outreach",
            3,
        )
        .await;
    assert!(
        confirmation.body.contains("is complete"),
        "{}",
        confirmation.body
    );
    let app = intake.application(&ada).unwrap();
    assert_eq!(app["status"], "complete", "{app}");
    assert_eq!(app["failing"], serde_json::json!({}), "{app}");
    assert_eq!(app["answers"]["postcode"], "10115");
    assert_eq!(app["answers"]["hours"], "6");
    assert_eq!(app["answers"]["years"], "3");
    assert_eq!(app["answers"]["languages"], "English, German");
    assert_eq!(app["answers"]["topics"], "Mentoring, Outreach");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_branch_flip_asks_exactly_what_now_applies() {
    let intake = intake(BRANCH_QUESTIONS);
    let (ada, q) = intake.asked("ada-branch").await;
    // The first mail lists the conditional question with its condition.
    assert!(
        q.body.contains(
            "3. Do you need a visa to travel to the meeting in Brussels? (required)\n   \
             Answer only if you answered Europe or Africa to 2.\n   Yes or no."
        ),
        "{}",
        q.body
    );

    // Europe: the follow-up asks the Europe-only questions with the first
    // mail's blocks, the optional one too (marked so), because of the
    // answer to 2; nothing else, and the required one only there.
    let follow_up = intake
        .answer(&ada, "Ada Lovelace", &q, "1. Ada Lovelace\n2. Europe", 2)
        .await;
    assert!(
        follow_up.body.contains(
            "Because of your answer to 2, these questions now apply to you.\n\
             Please answer them in a reply to this mail.\n\n\
             3. Do you need a visa to travel to the meeting in Brussels? (required)\n   \
             Answer only if you answered Europe or Africa to 2.\n   Yes or no.\n\n\
             4. Which city in Europe would you like to meet in? (optional)\n   \
             Answer only if you answered Europe to 2.\n\n"
        ),
        "{}",
        follow_up.body
    );
    assert!(
        !follow_up.body.contains("still need an answer"),
        "{}",
        follow_up.body
    );
    assert!(
        !follow_up
            .body
            .contains("1. What is your name? (required)\n"),
        "{}",
        follow_up.body
    );
    let app = intake.application(&ada).unwrap();
    assert_eq!(app["status"], "incomplete");
    assert_eq!(app["missing"], serde_json::json!(["visa"]));

    // Both answered: complete, nothing more asked.
    let confirmation = intake
        .answer(&ada, "Ada Lovelace", &follow_up, "3. Yes\n4. Bruges", 3)
        .await;
    assert!(
        confirmation.body.contains("is complete"),
        "{}",
        confirmation.body
    );
    assert!(
        !confirmation.body.contains("now appl"),
        "{}",
        confirmation.body
    );

    // Asia: the Europe-only questions no longer apply, so the application
    // is complete without them; the follow-up says their answers are kept
    // but no longer needed, by number; they stay in the database, neither
    // required nor reported.
    let asia = intake
        .answer(&ada, "Ada Lovelace", &confirmation, "2. Asia", 4)
        .await;
    assert!(asia.body.contains("is complete"), "{}", asia.body);
    assert!(
        asia.body.contains(
            "Questions 3 and 4 no longer apply to you; your answers to them are\n\
             kept, but no longer needed."
        ),
        "{}",
        asia.body
    );
    assert!(
        !asia.body.contains("3. Do you need a visa"),
        "not reported:\n{}",
        asia.body
    );
    let app = intake.application(&ada).unwrap();
    assert_eq!(app["status"], "complete", "{app}");
    assert_eq!(app["missing"], serde_json::json!([]));
    assert!(app["answers"].get("visa").is_none(), "{app}");
    let pool = sqlx::SqlitePool::connect(&intake.db_url()).await.unwrap();
    let kept: Vec<String> = sqlx::query_scalar(
        "SELECT value FROM answers WHERE question_id IN ('visa', 'city') ORDER BY question_id",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(kept, ["Bruges", "yes"]);

    // Africa: the kept visa answer counts again, nothing is asked; the
    // city (Europe only) still does not apply.
    let again = intake
        .answer(&ada, "Ada Lovelace", &asia, "2. Africa", 5)
        .await;
    assert!(again.body.contains("is complete"), "{}", again.body);
    assert!(
        again
            .body
            .contains("3. Do you need a visa to travel to the meeting in Brussels?\n   yes"),
        "{}",
        again.body
    );
    assert!(!again.body.contains("now appl"), "{}", again.body);
    assert!(!again.body.contains("Bruges"), "{}", again.body);
    let app = intake.application(&ada).unwrap();
    assert_eq!(app["status"], "complete", "{app}");
    assert_eq!(app["answers"]["visa"], "yes");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_list_of_countries_past_26_is_answered_by_number_or_name() {
    let countries: Vec<String> = (1..=40).map(|i| format!("Country {i:02}")).collect();
    let mut countries = countries;
    countries[29] = "Germany".into();
    countries[34] = "Kenya".into();
    let list = countries
        .iter()
        .map(|c| format!("\"{c}\""))
        .collect::<Vec<_>>()
        .join(", ");
    let intake = intake(&format!(
        "[[question]]\nid = \"country\"\nprompt = \"Where do you live?\"\nkind = \"choice\"\n\
         choices = [{list}]\nrequired = true\n\n\
         [[question]]\nid = \"born\"\nprompt = \"Where were you born?\"\nkind = \"choice\"\n\
         choices = [{list}]\nrequired = true\n"
    ));
    let (ada, q) = intake.asked("ada-countries").await;
    assert!(
        q.body
            .contains("   Choose one (the number or the name):\n   [1] Country 01\n"),
        "{}",
        q.body
    );
    assert!(q.body.contains("   [30] Germany\n"), "{}", q.body);
    let confirmation = intake
        .answer(&ada, "Ada Lovelace", &q, "1. 30\n2. keny", 2)
        .await;
    assert!(
        confirmation.body.contains("is complete"),
        "{}",
        confirmation.body
    );
    let app = intake.application(&ada).unwrap();
    assert_eq!(app["answers"]["country"], "Germany");
    assert_eq!(app["answers"]["born"], "Kenya");
}
