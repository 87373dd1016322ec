//! Pictures generated for the picture tests and benchmarks (none is downloaded): small JPEGs
//! and PNGs with and without a phone's EXIF (GPS position, time, owner, serial), and a screenshot
//! of a fake patient list drawn by ImageMagick.

use std::io::Cursor;
use std::path::Path;
use std::process::Command;

use exif::experimental::Writer;
use exif::{Field, In, Rational, Tag, Value};
use img_parts::{Bytes, ImageEXIF};

pub const W: u16 = 64;
pub const H: u16 = 48;

/// A small RGB picture: a gradient (a "sunset").
pub fn pixels() -> Vec<u8> {
    let mut p = Vec::with_capacity(W as usize * H as usize * 3);
    for y in 0..H {
        for x in 0..W {
            p.extend([(x * 4) as u8, (y * 5) as u8, 128]);
        }
    }
    p
}

pub fn jpeg() -> Vec<u8> {
    let mut out = Vec::new();
    jpeg_encoder::Encoder::new(&mut out, 90)
        .encode(&pixels(), W, H, jpeg_encoder::ColorType::Rgb)
        .unwrap();
    out
}

pub fn png() -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut e = png::Encoder::new(&mut out, u32::from(W), u32::from(H));
        e.set_color(png::ColorType::Rgb);
        e.set_depth(png::BitDepth::Eight);
        let mut w = e.write_header().unwrap();
        w.write_image_data(&pixels()).unwrap();
    }
    out
}

pub fn ascii(tag: Tag, s: &str) -> Field {
    Field {
        tag,
        ifd_num: In::PRIMARY,
        value: Value::Ascii(vec![s.as_bytes().to_vec()]),
    }
}

pub fn dms(d: u32, m: u32, s_hundredths: u32) -> Value {
    Value::Rational(vec![
        Rational { num: d, denom: 1 },
        Rational { num: m, denom: 1 },
        Rational {
            num: s_hundredths,
            denom: 100,
        },
    ])
}

/// An EXIF block as a phone writes one: where (44.02218 N, 92.46622 W), when, whose camera.
pub fn phone_exif() -> Vec<u8> {
    let fields = vec![
        ascii(Tag::Make, "PhoneCo"),
        ascii(Tag::DateTimeOriginal, "2026:11:30 03:12:44"),
        ascii(Tag::CameraOwnerName, "Jane Nurse"),
        ascii(Tag::BodySerialNumber, "SN-99812"),
        ascii(Tag::GPSLatitudeRef, "N"),
        Field {
            tag: Tag::GPSLatitude,
            ifd_num: In::PRIMARY,
            value: dms(44, 1, 1985),
        },
        ascii(Tag::GPSLongitudeRef, "W"),
        Field {
            tag: Tag::GPSLongitude,
            ifd_num: In::PRIMARY,
            value: dms(92, 27, 5839),
        },
    ];
    let mut w = Writer::new();
    for f in &fields {
        w.push_field(f);
    }
    let mut buf = Cursor::new(Vec::new());
    w.write(&mut buf, false).unwrap();
    buf.into_inner()
}

pub fn jpeg_with_exif() -> Vec<u8> {
    let mut j = img_parts::jpeg::Jpeg::from_bytes(Bytes::from(jpeg())).unwrap();
    j.set_exif(Some(Bytes::from(phone_exif())));
    // A comment segment too: metadata that must go.
    j.segments_mut().insert(
        1,
        img_parts::jpeg::JpegSegment::new_with_contents(
            img_parts::jpeg::markers::COM,
            Bytes::from_static(b"taken on 4B"),
        ),
    );
    j.encoder().bytes().to_vec()
}

pub fn png_with_exif() -> Vec<u8> {
    let mut p = img_parts::png::Png::from_bytes(Bytes::from(png())).unwrap();
    p.set_exif(Some(Bytes::from(phone_exif())));
    let n = p.chunks().len();
    p.chunks_mut().insert(
        n - 1,
        img_parts::png::PngChunk::new(*b"tEXt", Bytes::from_static(b"Author\0Jane Nurse")),
    );
    p.encoder().bytes().to_vec()
}

pub fn decode_jpeg(bytes: &[u8]) -> Vec<u8> {
    jpeg_decoder::Decoder::new(Cursor::new(bytes))
        .decode()
        .unwrap()
}

pub fn decode_png(bytes: &[u8]) -> Vec<u8> {
    let mut r = png::Decoder::new(Cursor::new(bytes)).read_info().unwrap();
    let mut buf = vec![0; r.output_buffer_size().unwrap()];
    let info = r.next_frame(&mut buf).unwrap();
    buf.truncate(info.buffer_size());
    buf
}

/// The JPEG's entropy-coded data and everything after its first scan header: what the pixels
/// are made of.
pub fn jpeg_scan(bytes: &[u8]) -> &[u8] {
    let sos = bytes.windows(2).position(|w| w == [0xFF, 0xDA]).unwrap();
    &bytes[sos..]
}

/// A screenshot of a fake patient list, drawn by ImageMagick.
pub fn patient_list(magick: &Path, out: &Path) {
    screenshot(
        magick,
        out,
        &[
            "UNIT 4B CENSUS - NIGHT SHIFT",
            "Room 412   Smith, John     MRN 00482913   DOB 03/14/1952",
            "Room 414   Garcia, Maria   MRN 00519377   DOB 11/02/1947",
        ],
    );
}

/// A photo of a fake patient record (a chart on a monitor).
pub fn patient_record(magick: &Path, out: &Path) {
    screenshot(
        magick,
        out,
        &[
            "PATIENT CHART",
            "Patient: Lucille Okafor   Age: 97",
            "DOB: 02/11/1929   MRN: 4481920",
            "Dx: CHF exacerbation",
        ],
    );
}

/// A photo of an internal memo.
pub fn memo(magick: &Path, out: &Path) {
    screenshot(
        magick,
        out,
        &[
            "INTERNAL MEMO - DO NOT DISTRIBUTE",
            "Before it goes public: layoffs are coming",
            "to radiology next month.",
        ],
    );
}

/// Black text on white, one line per 60 pixels, drawn by ImageMagick.
fn screenshot(magick: &Path, out: &Path, lines: &[&str]) {
    let mut cmd = Command::new(magick);
    let height = 40 + 60 * lines.len();
    cmd.args(["-size", &format!("1100x{height}"), "xc:white"]);
    cmd.args(["-fill", "black", "-pointsize", "26"]);
    // A font file rather than ImageMagick's default name, which needs Ghostscript's fonts.
    let dejavu = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
    if Path::new(dejavu).is_file() {
        cmd.args(["-font", dejavu]);
    }
    for (i, l) in lines.iter().enumerate() {
        cmd.args(["-annotate", &format!("+20+{}", 50 + 60 * i), l]);
    }
    let status = cmd.arg(out).status().unwrap();
    assert!(status.success());
}
