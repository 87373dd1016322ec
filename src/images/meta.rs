//! Identifying metadata in a picture file: EXIF (JPEG, PNG, WebP, TIFF, HEIF) read with
//! kamadak-exif, and the XMP packet (people tags, and GPS or dates when EXIF has none).

use std::io::Cursor;

use exif::{In, Reader, Tag, Value};

use crate::engine::MetaKind;

/// What in `bytes` (a picture file) tells where, when or by whom it was taken, each with its
/// value as read; empty when nothing does (or the file has no metadata we read).
pub fn read_metadata(bytes: &[u8]) -> Vec<(MetaKind, String)> {
    let mut out: Vec<(MetaKind, String)> = Vec::new();
    let mut push = |k: MetaKind, v: String| {
        if !out.iter().any(|(q, _)| *q == k) {
            out.push((k, v));
        }
    };
    let mut reader = Reader::new();
    reader.continue_on_error(true);
    let exif = reader
        .read_from_container(&mut Cursor::new(bytes))
        .or_else(|e| e.distill_partial_result(|_| {}))
        .ok();
    if let Some(exif) = &exif {
        let ascii = |tag: Tag| -> Option<String> {
            let f = exif.get_field(tag, In::PRIMARY)?;
            match &f.value {
                Value::Ascii(parts) => {
                    let s: String = parts
                        .iter()
                        .map(|p| String::from_utf8_lossy(p).trim().to_string())
                        .filter(|p| !p.is_empty())
                        .collect::<Vec<_>>()
                        .join(" ");
                    (!s.is_empty()).then_some(s)
                }
                _ => None,
            }
        };
        if let (Some(lat), Some(lon)) = (
            degrees(exif, Tag::GPSLatitude, Tag::GPSLatitudeRef, 'S'),
            degrees(exif, Tag::GPSLongitude, Tag::GPSLongitudeRef, 'W'),
        ) {
            push(MetaKind::Location, format!("{lat:.5}, {lon:.5}"));
        }
        if let Some(t) = ascii(Tag::DateTimeOriginal)
            .or_else(|| ascii(Tag::DateTimeDigitized))
            .or_else(|| ascii(Tag::DateTime))
            .or_else(|| ascii(Tag::GPSDateStamp))
        {
            push(MetaKind::Time, t);
        }
        if let Some(o) = ascii(Tag::CameraOwnerName)
            .or_else(|| ascii(Tag::Artist))
            .or_else(|| ascii(Tag::Copyright))
        {
            push(MetaKind::Owner, o);
        }
        if let Some(s) = ascii(Tag::BodySerialNumber).or_else(|| ascii(Tag::LensSerialNumber)) {
            push(MetaKind::Serial, s);
        }
        if exif
            .get_field(Tag::JPEGInterchangeFormat, In::THUMBNAIL)
            .is_some()
            || exif.fields().any(|f| f.ifd_num == In::THUMBNAIL)
        {
            push(MetaKind::Thumbnail, String::new());
        }
    }
    if let Some(xmp) = xmp_packet(bytes) {
        let people = xmp_people(xmp);
        if !people.is_empty() {
            push(MetaKind::People, people.join(", "));
        }
        if let Some(v) = xmp_value(xmp, "exif:GPSLatitude") {
            let lon = xmp_value(xmp, "exif:GPSLongitude").unwrap_or_default();
            push(MetaKind::Location, format!("{v} {lon}").trim().to_string());
        }
        for key in [
            "exif:DateTimeOriginal",
            "xmp:CreateDate",
            "photoshop:DateCreated",
        ] {
            if let Some(v) = xmp_value(xmp, key) {
                push(MetaKind::Time, v);
                break;
            }
        }
    }
    out.sort_by_key(|(k, _)| *k);
    out
}

/// A GPS coordinate in signed decimal degrees.
fn degrees(exif: &exif::Exif, tag: Tag, reference: Tag, negative: char) -> Option<f64> {
    let f = exif.get_field(tag, In::PRIMARY)?;
    let Value::Rational(r) = &f.value else {
        return None;
    };
    let part = |i: usize| r.get(i).filter(|x| x.denom != 0).map(|x| x.to_f64());
    let d = part(0)? + part(1).unwrap_or(0.0) / 60.0 + part(2).unwrap_or(0.0) / 3600.0;
    if !d.is_finite() {
        return None;
    }
    let neg = exif
        .get_field(reference, In::PRIMARY)
        .map(|f| match &f.value {
            Value::Ascii(v) => v
                .first()
                .and_then(|s| s.first())
                .is_some_and(|&c| c as char == negative),
            _ => false,
        })
        .unwrap_or(false);
    Some(if neg { -d } else { d })
}

/// The XMP packet (`<x:xmpmeta …>…</x:xmpmeta>`) anywhere in the file, as text.
fn xmp_packet(bytes: &[u8]) -> Option<&str> {
    let start = memchr::memmem::find(bytes, b"<x:xmpmeta")?;
    let end = memchr::memmem::find(&bytes[start..], b"</x:xmpmeta>")? + start + 12;
    std::str::from_utf8(&bytes[start..end]).ok()
}

/// A simple property's value: `key="v"` (attribute form) or `<key>v</key>` (element form).
fn xmp_value(xmp: &str, key: &str) -> Option<String> {
    let attr = format!("{key}=\"");
    if let Some(i) = xmp.find(&attr) {
        let rest = &xmp[i + attr.len()..];
        let v = &rest[..rest.find('"')?];
        return Some(unescape(v)).filter(|v| !v.trim().is_empty());
    }
    let open = format!("<{key}>");
    let i = xmp.find(&open)?;
    let rest = &xmp[i + open.len()..];
    let v = &rest[..rest.find('<')?];
    Some(unescape(v)).filter(|v| !v.trim().is_empty())
}

/// Names of people tagged in the picture: IPTC Extension's PersonInImage, the Metadata Working
/// Group's face regions (`mwg-rs:Name`) and Windows Live Photo Gallery's people tags.
fn xmp_people(xmp: &str) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    let mut add = |n: String| {
        let n = n.trim().to_string();
        if !n.is_empty() && !names.contains(&n) {
            names.push(n);
        }
    };
    // <Iptc4xmpExt:PersonInImage><rdf:Bag><rdf:li>Name</rdf:li>…
    let mut rest = xmp;
    while let Some(i) = rest.find("<Iptc4xmpExt:PersonInImage>") {
        rest = &rest[i..];
        let end = rest
            .find("</Iptc4xmpExt:PersonInImage>")
            .unwrap_or(rest.len());
        let mut bag = &rest[..end];
        while let Some(j) = bag.find("<rdf:li>") {
            bag = &bag[j + 8..];
            if let Some(k) = bag.find('<') {
                add(unescape(&bag[..k]));
            }
        }
        rest = &rest[end..];
    }
    for key in [
        "mwg-rs:Name",
        "MPRI:PersonDisplayName",
        "MP:PersonDisplayName",
    ] {
        let mut rest = xmp;
        let attr = format!("{key}=\"");
        while let Some(i) = rest.find(&attr) {
            rest = &rest[i + attr.len()..];
            if let Some(k) = rest.find('"') {
                add(unescape(&rest[..k]));
            }
        }
        let open = format!("<{key}>");
        let mut rest = xmp;
        while let Some(i) = rest.find(&open) {
            rest = &rest[i + open.len()..];
            if let Some(k) = rest.find('<') {
                add(unescape(&rest[..k]));
            }
        }
    }
    names
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn people_and_gps_in_xmp_are_read() {
        let xmp = br#"junk<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF><rdf:Description exif:GPSLatitude="44,1.33N" exif:GPSLongitude="92,27.97W" xmp:CreateDate="2026-11-30T03:12:44"><Iptc4xmpExt:PersonInImage><rdf:Bag><rdf:li>Jane Q. Patient</rdf:li><rdf:li>Dr. &amp; Co</rdf:li></rdf:Bag></Iptc4xmpExt:PersonInImage><mwg-rs:RegionList><rdf:li mwg-rs:Name="John Roe"/></mwg-rs:RegionList></rdf:Description></rdf:RDF></x:xmpmeta>junk"#;
        let m = read_metadata(xmp);
        assert_eq!(
            m,
            vec![
                (MetaKind::Location, "44,1.33N 92,27.97W".to_string()),
                (MetaKind::Time, "2026-11-30T03:12:44".to_string()),
                (
                    MetaKind::People,
                    "Jane Q. Patient, Dr. & Co, John Roe".to_string()
                ),
            ]
        );
    }

    #[test]
    fn bytes_that_are_no_picture_hold_nothing() {
        assert!(read_metadata(b"").is_empty());
        assert!(read_metadata(b"\xff\xd8\xff\xe1\x00\x02").is_empty());
        assert!(read_metadata(b"<x:xmpmeta>no end").is_empty());
    }
}
