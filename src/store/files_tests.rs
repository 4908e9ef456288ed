//! Files attached as answers, on both backends (included from
//! `tests.rs`, whose helpers and `on_both!` it uses): kept in the
//! database or on disk, read back checked, and gone with an erase, a
//! purge or a rolled-back mail.

use chrono::{Duration, Utc};

use super::{answer, postgres_store, sqlite, stored_mail};
use crate::domain::Status;
use crate::files::FileType;
use crate::store::Store;

const ADA: &str = "ada@example.net";

/// Ada's application with two versions of her `cv` answer, each with a
/// file (`dir`: kept there, else in the database); the files' ids.
async fn two_versions(store: &Store, dir: Option<&std::path::Path>) -> (i64, i64) {
    let now = Utc::now() - Duration::days(30);
    let mut tx = store.begin().await.unwrap();
    let app = tx
        .insert_application(ADA, Some("Ada"), Status::Complete, now)
        .await
        .unwrap();
    let mut ids = Vec::new();
    for (uid, bytes) in [(1, b"%PDF-1.4 first".as_slice()), (2, b"%PDF-1.4 second")] {
        let mail = stored_mail(&mut tx, uid, now).await;
        let a = tx
            .insert_answer(
                app,
                &answer("cv", "cv.pdf (PDF, 14 bytes)", None),
                mail,
                now,
            )
            .await
            .unwrap();
        ids.push(
            tx.insert_file(a, "cv.pdf", FileType::Pdf, bytes, dir, now)
                .await
                .unwrap(),
        );
    }
    tx.commit().await.unwrap();
    (ids[0], ids[1])
}

async fn a_file_in_the_database_is_read_back_whole_and_erased(store: Store) {
    let (old, new) = two_versions(&store, None).await;
    let (row, bytes) = store.file_bytes(new).await.unwrap();
    assert_eq!(bytes, b"%PDF-1.4 second");
    assert_eq!(
        (row.name.as_str(), row.kind, row.size),
        ("cv.pdf", FileType::Pdf, 15)
    );
    assert_eq!(row.sha256, crate::files::sha256_hex(b"%PDF-1.4 second"));
    assert_eq!(row.path, None);
    let listed = store.files(Some(ADA)).await.unwrap();
    assert_eq!(
        listed.iter().map(|f| (f.id, f.current)).collect::<Vec<_>>(),
        vec![(old, false), (new, true)]
    );
    let erased = store.erase(ADA).await.unwrap();
    assert_eq!(erased.files, 2);
    assert!(store.files(None).await.unwrap().is_empty());
    assert!(matches!(
        store.file_bytes(new).await,
        Err(crate::store::FileError::NoSuchFile(_))
    ));
}
on_both!(a_file_in_the_database_is_read_back_whole_and_erased);

async fn a_file_on_disk_is_private_checked_and_removed_by_an_erase(store: Store) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("files");
    let (_, new) = two_versions(&store, Some(&dir)).await;
    let (row, bytes) = store.file_bytes(new).await.unwrap();
    assert_eq!(bytes, b"%PDF-1.4 second");
    let path = std::path::PathBuf::from(row.path.unwrap());
    assert_eq!(super::mode(&path), 0o600);
    // Our name, never the applicant's.
    assert!(!path.to_string_lossy().contains("cv"));
    // In the database: the path and the hash, not the bytes.
    let stored: Vec<u8> = sqlx::query_scalar("SELECT content FROM files WHERE id = $1")
        .bind(new)
        .fetch_one(&store.pool)
        .await
        .unwrap();
    assert!(stored.is_empty());
    // A file changed on disk is not handed out as the applicant's.
    std::fs::write(&path, b"%PDF-1.4 forged").unwrap();
    assert!(store.file_bytes(new).await.is_err());
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 2);
    store.erase(ADA).await.unwrap();
    assert_eq!(
        std::fs::read_dir(&dir).unwrap().count(),
        0,
        "erased from disk"
    );
}
on_both!(a_file_on_disk_is_private_checked_and_removed_by_an_erase);

async fn a_rolled_back_mail_leaves_no_file_on_disk(store: Store) {
    let tmp = tempfile::tempdir().unwrap();
    let now = Utc::now();
    let mut tx = store.begin().await.unwrap();
    let app = tx
        .insert_application(ADA, None, Status::Complete, now)
        .await
        .unwrap();
    let mail = stored_mail(&mut tx, 1, now).await;
    let a = tx
        .insert_answer(app, &answer("cv", "cv.txt", None), mail, now)
        .await
        .unwrap();
    tx.insert_file(a, "cv.txt", FileType::Txt, b"cv", Some(tmp.path()), now)
        .await
        .unwrap();
    assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 1);
    drop(tx);
    assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 0);
}
on_both!(a_rolled_back_mail_leaves_no_file_on_disk);

async fn retention_purges_a_superseded_file_and_keeps_the_current_one(store: Store) {
    let tmp = tempfile::tempdir().unwrap();
    let (old, new) = two_versions(&store, Some(tmp.path())).await;
    let purged = store
        .purge(Utc::now() - Duration::days(1), Utc::now())
        .await
        .unwrap();
    assert_eq!((purged.answers, purged.files), (1, 1));
    let left: Vec<i64> = store
        .files(None)
        .await
        .unwrap()
        .iter()
        .map(|f| f.id)
        .collect();
    assert_eq!(left, vec![new]);
    assert!(store.file(old).await.unwrap().is_none());
    assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 1);
    assert_eq!(store.file_bytes(new).await.unwrap().1, b"%PDF-1.4 second");
}
on_both!(retention_purges_a_superseded_file_and_keeps_the_current_one);
