//! Stripping a picture's metadata without re-encoding it: the file's container is rewritten
//! without its metadata segments or chunks (img-parts), and every byte of the image data is
//! kept as it was, so the pixels are identical.

use std::path::{Path, PathBuf};

use img_parts::jpeg::{markers, Jpeg};
use img_parts::png::Png;
use img_parts::webp::{WebP, CHUNK_XMP};
use img_parts::{Bytes, ImageEXIF};

/// What [`strip`] did.
#[derive(Debug, PartialEq, Eq)]
pub struct Stripped {
    /// Bytes of metadata removed (0: the file had none we remove, and was left alone).
    pub removed: usize,
    /// Where the original bytes were kept, if they were.
    pub backup: Option<PathBuf>,
}

/// Rewrites the picture at `path` without its metadata (EXIF, XMP, IPTC, comments, text
/// chunks; ICC colour profiles are kept, they identify no one), keeping the original as
/// `NAME.orig.EXT` when `backup` (never over an existing file: `NAME.orig.1.EXT` then). The
/// new file replaces the old one in one rename, with its permissions. JPEG, PNG and WebP.
pub fn strip(path: &Path, backup: bool) -> Result<Stripped, String> {
    let shown = path.display();
    let original = std::fs::read(path).map_err(|e| format!("cannot read {shown}: {e}"))?;
    let stripped =
        strip_bytes(&original).map_err(|e| format!("cannot strip the metadata of {shown}: {e}"))?;
    let removed = original.len().saturating_sub(stripped.len());
    if stripped == original {
        return Ok(Stripped {
            removed: 0,
            backup: None,
        });
    }
    let kept = if backup {
        let b = backup_path(path);
        write_new(&b, &original)
            .map_err(|e| format!("cannot keep the original as {}: {e}", b.display()))?;
        Some(b)
    } else {
        None
    };
    replace(path, &stripped).map_err(|e| format!("cannot write {shown}: {e}"))?;
    Ok(Stripped {
        removed,
        backup: kept,
    })
}

/// The file's bytes without their metadata.
pub fn strip_bytes(bytes: &[u8]) -> Result<Vec<u8>, String> {
    let b = Bytes::copy_from_slice(bytes);
    if bytes.starts_with(&[0xFF, 0xD8]) {
        let mut jpeg = Jpeg::from_bytes(b).map_err(|e| format!("not a readable JPEG ({e})"))?;
        jpeg.segments_mut()
            .retain(|s| keep_jpeg_segment(s.marker(), s.contents()));
        return Ok(jpeg.encoder().bytes().to_vec());
    }
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        let mut png = Png::from_bytes(b).map_err(|e| format!("not a readable PNG ({e})"))?;
        png.chunks_mut()
            .retain(|c| !matches!(&c.kind(), b"eXIf" | b"tEXt" | b"zTXt" | b"iTXt" | b"tIME"));
        return Ok(png.encoder().bytes().to_vec());
    }
    if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        let mut webp = WebP::from_bytes(b).map_err(|e| format!("not a readable WebP ({e})"))?;
        // XMP first: set_exif rewrites the VP8X header's flags from the chunks left.
        webp.remove_chunks_by_id(CHUNK_XMP);
        webp.set_exif(None);
        return Ok(webp.encoder().bytes().to_vec());
    }
    Err("only JPEG, PNG and WebP files can be stripped without re-encoding".into())
}

/// JPEG segments kept: everything but APP1 (EXIF, XMP), APP3–APP13 (vendor data, IPTC),
/// APP15 and comments; APP2 only when it is an ICC profile (not MPF or FlashPix data);
/// APP0 (JFIF) and APP14 (Adobe: the colour transform the decoder needs) stay.
fn keep_jpeg_segment(marker: u8, contents: &Bytes) -> bool {
    match marker {
        markers::APP1 | markers::COM => false,
        markers::APP2 => contents.starts_with(b"ICC_PROFILE\0"),
        m if (markers::APP3..=markers::APP13).contains(&m) || m == markers::APP15 => false,
        _ => true,
    }
}

/// `NAME.orig.EXT`, or `NAME.orig.N.EXT` when that exists.
fn backup_path(path: &Path) -> PathBuf {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let ext = path
        .extension()
        .map(|e| format!(".{}", e.to_string_lossy()))
        .unwrap_or_default();
    let mut n = 0;
    loop {
        let name = if n == 0 {
            format!("{stem}.orig{ext}")
        } else {
            format!("{stem}.orig.{n}{ext}")
        };
        let p = path.with_file_name(name);
        if !p.exists() {
            return p;
        }
        n += 1;
    }
}

fn write_new(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}

/// Writes `bytes` beside `path` and renames it over `path`, keeping `path`'s permissions.
fn replace(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = path.with_file_name(format!(".{name}.scrubs-strip"));
    let _ = std::fs::remove_file(&tmp);
    write_new(&tmp, bytes)?;
    if let Ok(md) = std::fs::metadata(path) {
        let _ = std::fs::set_permissions(&tmp, md.permissions());
    }
    std::fs::rename(&tmp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}
