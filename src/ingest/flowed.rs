//! RFC 3676 `format=flowed` text, joined.

/// Decodes RFC 3676 `format=flowed` text: a line ending in a space
/// continues on the next line of the same quote depth; one leading space
/// is stuffing. Quoted lines come back with `> ` markers.
pub fn unflow(text: &str, delsp: bool) -> String {
    fn render(depth: usize, s: &str) -> String {
        if depth == 0 {
            s.to_string()
        } else {
            format!("{} {s}", ">".repeat(depth))
        }
    }
    let mut out: Vec<String> = Vec::new();
    let mut para: Option<(usize, String)> = None;
    for raw in text.split('\n') {
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        let depth = line.bytes().take_while(|b| *b == b'>').count();
        let content = &line[depth..];
        let content = content.strip_prefix(' ').unwrap_or(content);
        // The signature separator is the one line that is never flowed.
        let soft = content.ends_with(' ') && content != "-- ";
        let piece = if soft && delsp {
            &content[..content.len() - 1]
        } else {
            content
        };
        match para.take() {
            Some((d, mut acc)) if d == depth => {
                acc.push_str(piece);
                if soft {
                    para = Some((d, acc));
                } else {
                    out.push(render(d, &acc));
                }
            }
            other => {
                if let Some((d, acc)) = other {
                    out.push(render(d, &acc));
                }
                if soft {
                    para = Some((depth, piece.to_string()));
                } else {
                    out.push(render(depth, piece));
                }
            }
        }
    }
    if let Some((d, acc)) = para {
        out.push(render(d, &acc));
    }
    out.join("\n")
}
