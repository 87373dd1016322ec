//! Keeps the server listening through malformed input.
//!
//! tower-lsp stops reading its input after the first message it cannot
//! decode (a body that is not JSON-RPC, a bad header): one bad message from
//! a client would leave the server deaf. So the client's bytes pass through
//! [`reframe`] first: it reads each `Content-Length` frame itself and
//! forwards well-formed messages unchanged; a body that is not a JSON-RPC
//! message becomes a `$/scrubs/malformedMessage` notification (which the
//! server ignores), and header lines without a usable `Content-Length` are
//! skipped. Nothing of a message's content is logged.

use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tower_lsp::jsonrpc::{Request, Response};

/// What a malformed body is replaced with.
pub const MALFORMED: &[u8] = br#"{"jsonrpc":"2.0","method":"$/scrubs/malformedMessage"}"#;

/// The longest header line read (longer ones are cut and skipped).
const MAX_HEADER_LINE: u64 = 8 * 1024;

/// Whether `body` is a message tower-lsp can decode.
pub fn is_message(body: &[u8]) -> bool {
    serde_json::from_slice::<Request>(body).is_ok()
        || serde_json::from_slice::<Response>(body).is_ok()
}

/// Copies LSP frames from `input` to `output` until `input` ends (or
/// `output` closes), replacing malformed ones as the module docs say.
pub async fn reframe<R, W>(input: R, mut output: W)
where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
{
    let mut r = BufReader::new(input);
    let mut line = Vec::new();
    loop {
        let mut len: Option<usize> = None;
        let mut headers = 0;
        loop {
            line.clear();
            match (&mut r)
                .take(MAX_HEADER_LINE)
                .read_until(b'\n', &mut line)
                .await
            {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
            let l = String::from_utf8_lossy(&line);
            let l = l.trim_end_matches(['\r', '\n']);
            if l.is_empty() {
                if headers > 0 {
                    break;
                }
                continue;
            }
            headers += 1;
            if let Some((name, value)) = l.split_once(':') {
                if name.trim().eq_ignore_ascii_case("content-length") {
                    len = value.trim().parse().ok();
                }
            }
        }
        let Some(n) = len else {
            eprintln!("scrubs: skipped a message without a valid Content-Length header");
            continue;
        };
        let mut body = Vec::with_capacity(n.min(1 << 20));
        match (&mut r).take(n as u64).read_to_end(&mut body).await {
            Ok(got) if got == n => {}
            _ => return,
        }
        let body: &[u8] = if is_message(&body) {
            &body
        } else {
            eprintln!("scrubs: replaced a message that is not valid JSON-RPC ({n} bytes)");
            MALFORMED
        };
        let header = format!("Content-Length: {}\r\n\r\n", body.len());
        if output.write_all(header.as_bytes()).await.is_err()
            || output.write_all(body).await.is_err()
            || output.flush().await.is_err()
        {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn malformed_frames_are_replaced_and_the_rest_pass() {
        let good = r#"{"jsonrpc":"2.0","id":1,"method":"shutdown"}"#;
        let input = format!(
            "Content-Length: 9\r\n\r\nnot json!\
             garbage header line\r\n\r\n\
             Content-Length: 7\r\n\r\n[1,2,3]\
             content-length: {}\r\nContent-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n{good}",
            good.len()
        );
        let mut out = Vec::new();
        reframe(input.as_bytes(), &mut out).await;
        let m = std::str::from_utf8(MALFORMED).unwrap();
        let expected = format!(
            "Content-Length: {0}\r\n\r\n{m}Content-Length: {0}\r\n\r\n{m}Content-Length: {1}\r\n\r\n{good}",
            m.len(),
            good.len()
        );
        assert_eq!(String::from_utf8(out).unwrap(), expected);
    }
}
