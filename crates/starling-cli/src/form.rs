//! curl's `-F/--form`: a `multipart/form-data` body (RFC 7578) built once
//! and shared by every transfer that sends it.
//!
//! `NAME=VALUE` is a text field, `NAME=@FILE` a file upload (file name and
//! content type in its part), `NAME=<FILE` a text field holding the file's
//! contents. After the content, `;type=TYPE` sets the part's content type
//! and `;filename=NAME` the file name it announces, as in curl.

use std::path::Path;

/// A built form: the body and the content type that names its boundary.
#[derive(Debug)]
pub struct Form {
    /// The `Content-Type` header's value.
    pub content_type: String,
    /// The encoded body.
    pub body: Vec<u8>,
}

/// One field of the form.
struct Part {
    name: String,
    filename: Option<String>,
    content_type: Option<String>,
    data: Vec<u8>,
}

/// Builds the form of the `-F` arguments.
pub fn build(fields: &[String]) -> Result<Form, String> {
    let parts = fields.iter().map(|f| part(f)).collect::<Result<Vec<_>, _>>()?;
    let boundary = boundary(&parts);
    let mut body = Vec::new();
    for p in &parts {
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        let mut disposition = format!("Content-Disposition: form-data; name=\"{}\"", quote(&p.name));
        if let Some(filename) = &p.filename {
            disposition.push_str(&format!("; filename=\"{}\"", quote(filename)));
        }
        body.extend_from_slice(disposition.as_bytes());
        body.extend_from_slice(b"\r\n");
        if let Some(ct) = &p.content_type {
            body.extend_from_slice(format!("Content-Type: {ct}\r\n").as_bytes());
        }
        body.extend_from_slice(b"\r\n");
        body.extend_from_slice(&p.data);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    Ok(Form {
        content_type: format!("multipart/form-data; boundary={boundary}"),
        body,
    })
}

/// One `-F` argument as a part.
fn part(field: &str) -> Result<Part, String> {
    let (name, content) = field
        .split_once('=')
        .ok_or_else(|| format!("-F {field:?}: expected NAME=CONTENT"))?;
    // `;type=` and `;filename=` follow the content, unless it is quoted.
    let (content, params) = match content.strip_prefix('"') {
        Some(quoted) => match quoted.split_once('"') {
            Some((inner, rest)) => (inner.to_string(), rest.to_string()),
            None => return Err(format!("-F {field:?}: a quote is not closed")),
        },
        None => match content.find(';') {
            Some(i) => (content[..i].to_string(), content[i..].to_string()),
            None => (content.to_string(), String::new()),
        },
    };
    let mut content_type = None;
    let mut filename = None;
    for param in params.split(';').map(str::trim).filter(|p| !p.is_empty()) {
        match param.split_once('=') {
            Some(("type", t)) => content_type = Some(t.to_string()),
            Some(("filename", f)) => filename = Some(f.trim_matches('"').to_string()),
            _ => return Err(format!("-F {field:?}: unknown parameter {param:?}")),
        }
    }
    let read = |path: &str| std::fs::read(path).map_err(|e| format!("-F {field:?}: cannot read {path}: {e}"));
    let (data, filename, content_type) = if let Some(path) = content.strip_prefix('@') {
        let base = Path::new(path)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let guessed = content_type.unwrap_or_else(|| guess_type(path).to_string());
        (read(path)?, Some(filename.unwrap_or(base)), Some(guessed))
    } else if let Some(path) = content.strip_prefix('<') {
        (read(path)?, filename, content_type)
    } else {
        (content.into_bytes(), filename, content_type)
    };
    Ok(Part {
        name: name.to_string(),
        filename,
        content_type,
        data,
    })
}

/// curl's content type for an uploaded file, by its extension.
fn guess_type(path: &str) -> &'static str {
    let ext = Path::new(path)
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "gif" => "image/gif",
        "jpg" | "jpeg" => "image/jpeg",
        "png" => "image/png",
        "svg" => "image/svg+xml",
        "txt" => "text/plain",
        "htm" | "html" => "text/html",
        "pdf" => "application/pdf",
        "xml" => "application/xml",
        "json" => "application/json",
        _ => "application/octet-stream",
    }
}

/// A quoted-string's content: `"` and `\` escaped, line breaks encoded as
/// browsers (and curl) do.
fn quote(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('"', "%22")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A boundary found in no part (curl's shape: dashes and 22 hex digits).
fn boundary(parts: &[Part]) -> String {
    let mut seed = std::process::id() as u64 ^ 0x9e37_79b9_7f4a_7c15;
    if let Ok(t) = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH) {
        seed ^= t.as_nanos() as u64;
    }
    loop {
        // xorshift: a boundary needs to be unlikely in the data, not secret.
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let candidate = format!("------------------------{:016x}{:06x}", seed, seed >> 40);
        let found = parts
            .iter()
            .any(|p| p.data.windows(candidate.len()).any(|w| w == candidate.as_bytes()));
        if !found {
            return candidate;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_fields_and_a_file() {
        let dir = std::env::temp_dir().join(format!("starling-form-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("notes.txt");
        std::fs::write(&file, b"line\r\n").unwrap();
        let form = build(&[
            "a=1".into(),
            format!("up=@{}", file.display()),
            format!("inline=<{}", file.display()),
            "t=x;type=text/csv".into(),
        ])
        .unwrap();
        let boundary = form
            .content_type
            .strip_prefix("multipart/form-data; boundary=")
            .unwrap();
        let expected = format!(
            "--{b}\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n\
             --{b}\r\nContent-Disposition: form-data; name=\"up\"; filename=\"notes.txt\"\r\nContent-Type: text/plain\r\n\r\nline\r\n\r\n\
             --{b}\r\nContent-Disposition: form-data; name=\"inline\"\r\n\r\nline\r\n\r\n\
             --{b}\r\nContent-Disposition: form-data; name=\"t\"\r\nContent-Type: text/csv\r\n\r\nx\r\n\
             --{b}--\r\n",
            b = boundary
        );
        assert_eq!(String::from_utf8(form.body).unwrap(), expected);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn mistakes_are_named() {
        assert!(build(&["novalue".into()]).unwrap_err().contains("NAME=CONTENT"));
        assert!(build(&["f=@/nonexistent/x".into()])
            .unwrap_err()
            .contains("cannot read"));
        assert!(build(&["f=x;color=red".into()])
            .unwrap_err()
            .contains("unknown parameter"));
    }
}
