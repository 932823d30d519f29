//! Photos sent with a report, stripped of every metadata before anything keeps them.
//!
//! A phone's photo says where it was taken (GPS), with which device (serial numbers), when, and
//! sometimes by whom: enough to find the resident who sent it. `sanitise_photo` decodes the
//! photo's pixels, turns them upright with the EXIF orientation (read before anything is dropped,
//! so that a photo taken sideways does not come out sideways), shrinks it so that its longest
//! side is at most 2048 pixels, and encodes the pixels alone as a new baseline JPEG (quality 85).
//! The output carries no EXIF, XMP, IPTC, ICC profile or comment by construction: nothing of the
//! input but its pixels reaches the encoder.
//!
//! Decompression bombs are refused before decoding: at most 40 megapixels and 512 MiB of decoded
//! pixels (`image::Limits` and a check of the announced dimensions). Only JPEG, PNG and WebP are
//! read, recognised by their content, never by a name or a declared type.
//!
//! This module does not store photos, count them per report (the engine does, with
//! `MAX_PHOTOS`), or look at what they show.

use image::codecs::jpeg::JpegEncoder;
use image::imageops::FilterType;
use image::metadata::Orientation;
use image::{DynamicImage, ImageDecoder, ImageError, ImageFormat, ImageReader, Limits, RgbImage};
use serde::{Deserialize, Serialize};
use std::io::Cursor;

/// Largest photo accepted, in bytes (10 MiB).
pub const MAX_PHOTO_BYTES: usize = 10 * 1024 * 1024;
/// Most photos per report.
pub const MAX_PHOTOS: usize = 3;
/// Most pixels a photo may announce (40 megapixels).
pub const MAX_PIXELS: u64 = 40_000_000;
/// Most bytes of decoded pixels (512 MiB).
pub const MAX_DECODED_BYTES: u64 = 512 * 1024 * 1024;
/// Longest side of a sanitised photo, in pixels.
pub const MAX_SIDE_PX: u32 = 2048;
/// JPEG quality of a sanitised photo.
pub const JPEG_QUALITY: u8 = 85;
/// Longest side a photo may announce, in pixels (JPEG's own limit).
const MAX_INPUT_SIDE_PX: u32 = 65_535;

/// A photo stripped of its metadata: a baseline JPEG and its dimensions.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SanitisedPhoto {
    pub jpeg: Vec<u8>,
    pub width: u32,
    pub height: u32,
}

impl std::fmt::Debug for SanitisedPhoto {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SanitisedPhoto")
            .field("jpeg", &format_args!("{} bytes", self.jpeg.len()))
            .field("width", &self.width)
            .field("height", &self.height)
            .finish()
    }
}

/// Why a photo was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PhotoError {
    #[error("La photo dépasse 10 Mo.")]
    TooLarge,
    #[error("Vous pouvez joindre {MAX_PHOTOS} photos au plus.")]
    TooMany,
    #[error("Format de photo non pris en charge (JPEG, PNG ou WebP).")]
    Unsupported,
    #[error("La photo est trop grande : 40 mégapixels au plus.")]
    TooManyPixels,
    #[error("La photo est illisible ou endommagée.")]
    Unreadable,
    #[error("La photo n'a pas pu être convertie.")]
    Encoding,
}

/// Refuses a report's photo beyond `MAX_PHOTOS` (`count` is the number with the new one).
pub fn check_photo_count(count: usize) -> Result<(), PhotoError> {
    if count > MAX_PHOTOS {
        Err(PhotoError::TooMany)
    } else {
        Ok(())
    }
}

fn decoding_error(error: ImageError) -> PhotoError {
    match error {
        ImageError::Limits(_) => PhotoError::TooManyPixels,
        ImageError::Unsupported(_) => PhotoError::Unsupported,
        _ => PhotoError::Unreadable,
    }
}

/// Decodes a JPEG, PNG or WebP photo and re-encodes its pixels alone, upright, as a baseline JPEG
/// whose longest side is at most 2048 pixels.
pub fn sanitise_photo(bytes: &[u8]) -> Result<SanitisedPhoto, PhotoError> {
    if bytes.len() > MAX_PHOTO_BYTES {
        return Err(PhotoError::TooLarge);
    }
    let format = image::guess_format(bytes).map_err(|_| PhotoError::Unsupported)?;
    if !matches!(
        format,
        ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::WebP
    ) {
        return Err(PhotoError::Unsupported);
    }
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_INPUT_SIDE_PX);
    limits.max_image_height = Some(MAX_INPUT_SIDE_PX);
    limits.max_alloc = Some(MAX_DECODED_BYTES);
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(decoding_error)?;
    let (width, height) = decoder.dimensions();
    if u64::from(width) * u64::from(height) > MAX_PIXELS
        || decoder.total_bytes() > MAX_DECODED_BYTES
    {
        return Err(PhotoError::TooManyPixels);
    }
    // Read before the metadata is dropped; a malformed EXIF block leaves the photo as it is.
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let mut image = DynamicImage::from_decoder(decoder).map_err(decoding_error)?;
    image.apply_orientation(orientation);
    let rgb = shrink(flatten(image));
    let mut jpeg = Vec::new();
    JpegEncoder::new_with_quality(&mut jpeg, JPEG_QUALITY)
        .encode_image(&rgb)
        .map_err(|_| PhotoError::Encoding)?;
    Ok(SanitisedPhoto {
        jpeg,
        width: rgb.width(),
        height: rgb.height(),
    })
}

/// 8-bit RGB, transparent parts laid on white (JPEG has no alpha).
fn flatten(image: DynamicImage) -> RgbImage {
    if !image.color().has_alpha() {
        return image.into_rgb8();
    }
    let rgba = image.into_rgba8();
    RgbImage::from_fn(rgba.width(), rgba.height(), |x, y| {
        let [r, g, b, a] = rgba.get_pixel(x, y).0;
        let over_white = |channel: u8| {
            let value =
                (u32::from(channel) * u32::from(a) + 255 * (255 - u32::from(a)) + 127) / 255;
            u8::try_from(value).unwrap_or(u8::MAX)
        };
        image::Rgb([over_white(r), over_white(g), over_white(b)])
    })
}

/// Shrinks so that the longest side is at most `MAX_SIDE_PX`, keeping the ratio.
fn shrink(image: RgbImage) -> RgbImage {
    let (width, height) = image.dimensions();
    let longest = width.max(height);
    if longest <= MAX_SIDE_PX {
        return image;
    }
    let scale = |side: u32| -> u32 {
        let scaled = (u64::from(side) * u64::from(MAX_SIDE_PX) + u64::from(longest) / 2)
            / u64::from(longest);
        u32::try_from(scaled)
            .unwrap_or(MAX_SIDE_PX)
            .clamp(1, MAX_SIDE_PX)
    };
    image::imageops::resize(&image, scale(width), scale(height), FilterType::Triangle)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;
    use image::{ImageEncoder, Rgb, Rgba, RgbaImage};

    fn contains(haystack: &[u8], needle: &[u8]) -> bool {
        haystack
            .windows(needle.len())
            .any(|window| window == needle)
    }

    /// The markers of a JPEG's header segments, up to the start of scan.
    fn header_markers(jpeg: &[u8]) -> Vec<u8> {
        assert_eq!(&jpeg[..2], &[0xFF, 0xD8], "SOI");
        let mut markers = Vec::new();
        let mut at = 2;
        loop {
            assert_eq!(jpeg[at], 0xFF, "marker at {at}");
            let marker = jpeg[at + 1];
            markers.push(marker);
            if marker == 0xDA {
                return markers;
            }
            let length = usize::from(u16::from_be_bytes([jpeg[at + 2], jpeg[at + 3]]));
            at += 2 + length;
        }
    }

    /// Checks that the output is a clean baseline JPEG and returns it decoded.
    fn assert_clean(photo: &SanitisedPhoto) -> RgbImage {
        let jpeg = &photo.jpeg;
        for needle in [
            &b"Exif"[..],
            b"VIGIE-SERIAL",
            b"GPS",
            b"http://ns.adobe.com",
            b"ICC_PROFILE",
            b"tEXt",
            b"Comment",
        ] {
            assert!(
                !contains(jpeg, needle),
                "{:?} left in the output",
                String::from_utf8_lossy(needle)
            );
        }
        assert!(!contains(jpeg, &[0xFF, 0xE1]), "an APP1 marker is left");
        let markers = header_markers(jpeg);
        for marker in &markers {
            assert!(
                matches!(marker, 0xE0 | 0xDB | 0xC0 | 0xC4 | 0xDD | 0xDA),
                "unexpected marker {marker:#04x} in {markers:x?}"
            );
        }
        assert!(markers.contains(&0xC0), "baseline SOF0");
        let decoded = image::load_from_memory_with_format(jpeg, ImageFormat::Jpeg)
            .unwrap()
            .into_rgb8();
        assert_eq!(decoded.dimensions(), (photo.width, photo.height));
        assert!(photo.width.max(photo.height) <= MAX_SIDE_PX);
        decoded
    }

    /// An APP1 Exif segment: orientation 6 (turn 90° clockwise), a camera "make" holding a serial
    /// number, a description and a GPS IFD with a latitude.
    fn exif_segment() -> Vec<u8> {
        let mut tiff = Vec::new();
        tiff.extend_from_slice(b"II*\0");
        tiff.extend_from_slice(&8_u32.to_le_bytes());
        let description = b"GPS 43.2965 5.3698\0";
        let make = b"VIGIE-SERIAL-4242\0";
        let ifd0_entries = 4_u16;
        let ifd0_len = 2 + 12 * u32::from(ifd0_entries) + 4;
        let description_at = 8 + ifd0_len;
        let make_at = description_at + description.len() as u32 + 1; // even
        let gps_at = make_at + make.len() as u32;
        let gps_len = 2 + 12 * 2 + 4;
        let latitude_at = gps_at + gps_len;
        let entry = |tiff: &mut Vec<u8>, tag: u16, kind: u16, count: u32, value: [u8; 4]| {
            tiff.extend_from_slice(&tag.to_le_bytes());
            tiff.extend_from_slice(&kind.to_le_bytes());
            tiff.extend_from_slice(&count.to_le_bytes());
            tiff.extend_from_slice(&value);
        };
        tiff.extend_from_slice(&ifd0_entries.to_le_bytes());
        entry(
            &mut tiff,
            0x010E,
            2,
            description.len() as u32,
            description_at.to_le_bytes(),
        );
        entry(
            &mut tiff,
            0x010F,
            2,
            make.len() as u32,
            make_at.to_le_bytes(),
        );
        entry(&mut tiff, 0x0112, 3, 1, [6, 0, 0, 0]);
        entry(&mut tiff, 0x8825, 4, 1, gps_at.to_le_bytes());
        tiff.extend_from_slice(&0_u32.to_le_bytes());
        assert_eq!(tiff.len() as u32, description_at);
        tiff.extend_from_slice(description);
        tiff.push(0);
        tiff.extend_from_slice(make);
        assert_eq!(tiff.len() as u32, gps_at);
        tiff.extend_from_slice(&2_u16.to_le_bytes());
        entry(&mut tiff, 0x0001, 2, 2, *b"N\0\0\0");
        entry(&mut tiff, 0x0002, 5, 3, latitude_at.to_le_bytes());
        tiff.extend_from_slice(&0_u32.to_le_bytes());
        for (numerator, denominator) in [(43_u32, 1_u32), (17, 1), (4740, 100)] {
            tiff.extend_from_slice(&numerator.to_le_bytes());
            tiff.extend_from_slice(&denominator.to_le_bytes());
        }
        let mut payload = b"Exif\0\0".to_vec();
        payload.extend_from_slice(&tiff);
        let mut segment = vec![0xFF, 0xE1];
        segment.extend_from_slice(&(payload.len() as u16 + 2).to_be_bytes());
        segment.extend_from_slice(&payload);
        segment
    }

    /// A 64 × 32 JPEG, red on the left and blue on the right, with `exif_segment` after SOI.
    fn jpeg_with_exif() -> Vec<u8> {
        let image = RgbImage::from_fn(64, 32, |x, _| {
            if x < 32 {
                Rgb([230, 20, 20])
            } else {
                Rgb([20, 20, 230])
            }
        });
        let mut plain = Vec::new();
        JpegEncoder::new_with_quality(&mut plain, 95)
            .encode_image(&image)
            .unwrap();
        let mut jpeg = plain[..2].to_vec();
        jpeg.extend_from_slice(&exif_segment());
        jpeg.extend_from_slice(&plain[2..]);
        jpeg
    }

    #[test]
    fn jpeg_exif_is_removed_and_orientation_applied() {
        let input = jpeg_with_exif();
        // The test photo does carry what must go, and the decoder reads its orientation.
        assert!(contains(&input, b"VIGIE-SERIAL-4242") && contains(&input, b"GPS"));
        let mut decoder = ImageReader::new(Cursor::new(&input))
            .with_guessed_format()
            .unwrap()
            .into_decoder()
            .unwrap();
        assert_eq!(decoder.orientation().unwrap(), Orientation::Rotate90);
        assert!(decoder.exif_metadata().unwrap().is_some());

        let photo = sanitise_photo(&input).unwrap();
        assert_eq!((photo.width, photo.height), (32, 64), "turned upright");
        let decoded = assert_clean(&photo);
        // Turned 90° clockwise: what was on the left is now at the top.
        let top = decoded.get_pixel(16, 8).0;
        let bottom = decoded.get_pixel(16, 56).0;
        assert!(top[0] > 150 && top[2] < 100, "top {top:?}");
        assert!(bottom[2] > 150 && bottom[0] < 100, "bottom {bottom:?}");
    }

    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFF_u32;
        for byte in bytes {
            crc ^= u32::from(*byte);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }

    fn png_chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
        let mut chunk = (data.len() as u32).to_be_bytes().to_vec();
        let mut body = kind.to_vec();
        body.extend_from_slice(data);
        chunk.extend_from_slice(&body);
        chunk.extend_from_slice(&crc32(&body).to_be_bytes());
        chunk
    }

    fn png(image: &DynamicImage) -> Vec<u8> {
        let mut bytes = Vec::new();
        image
            .write_to(&mut Cursor::new(&mut bytes), ImageFormat::Png)
            .unwrap();
        bytes
    }

    #[test]
    fn png_text_chunk_is_removed_and_alpha_laid_on_white() {
        let image = RgbaImage::from_fn(40, 30, |x, _| {
            if x < 20 {
                Rgba([10, 200, 10, 255])
            } else {
                Rgba([0, 0, 0, 0])
            }
        });
        let plain = png(&DynamicImage::ImageRgba8(image));
        // After the signature (8 bytes) and IHDR (25 bytes).
        let mut input = plain[..33].to_vec();
        input.extend_from_slice(&png_chunk(
            b"tEXt",
            b"Comment\0VIGIE-SERIAL-4242 GPS 43.3 5.4",
        ));
        input.extend_from_slice(&plain[33..]);
        let reread = image::load_from_memory(&input).unwrap();
        assert_eq!(reread.width(), 40, "the test PNG stays valid");

        let photo = sanitise_photo(&input).unwrap();
        assert_eq!((photo.width, photo.height), (40, 30));
        let decoded = assert_clean(&photo);
        let opaque = decoded.get_pixel(5, 15).0;
        let transparent = decoded.get_pixel(35, 15).0;
        assert!(opaque[1] > 150 && opaque[0] < 80, "{opaque:?}");
        assert!(
            transparent.iter().all(|c| *c > 230),
            "white: {transparent:?}"
        );
    }

    #[test]
    fn large_photo_is_shrunk_keeping_its_ratio() {
        let image = RgbImage::from_fn(3000, 1500, |x, y| {
            Rgb([(x % 256) as u8, (y % 256) as u8, 128])
        });
        let photo = sanitise_photo(&png(&DynamicImage::ImageRgb8(image))).unwrap();
        assert_eq!((photo.width, photo.height), (2048, 1024));
        assert_clean(&photo);
        let tall = RgbImage::from_pixel(10, 4100, Rgb([1, 2, 3]));
        let photo = sanitise_photo(&png(&DynamicImage::ImageRgb8(tall))).unwrap();
        assert_eq!((photo.width, photo.height), (5, 2048));
    }

    #[test]
    fn webp_is_read() {
        let image = RgbaImage::from_pixel(24, 12, Rgba([200, 100, 50, 255]));
        let mut bytes = Vec::new();
        image::codecs::webp::WebPEncoder::new_lossless(&mut bytes)
            .write_image(image.as_raw(), 24, 12, image::ExtendedColorType::Rgba8)
            .unwrap();
        let photo = sanitise_photo(&bytes).unwrap();
        assert_eq!((photo.width, photo.height), (24, 12));
        assert_clean(&photo);
    }

    #[test]
    fn refusals() {
        assert_eq!(
            sanitise_photo(b"ceci n'est pas une photo, juste du texte"),
            Err(PhotoError::Unsupported)
        );
        assert_eq!(sanitise_photo(&[]), Err(PhotoError::Unsupported));
        assert_eq!(
            sanitise_photo(b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"),
            Err(PhotoError::Unsupported)
        );
        assert_eq!(
            sanitise_photo(&vec![0_u8; MAX_PHOTO_BYTES + 1]),
            Err(PhotoError::TooLarge)
        );
        let jpeg = jpeg_with_exif();
        assert!(
            sanitise_photo(&jpeg[..jpeg.len() / 3]).is_err(),
            "truncated JPEG"
        );
        assert_eq!(
            PhotoError::Unsupported.to_string(),
            "Format de photo non pris en charge (JPEG, PNG ou WebP)."
        );
        assert_eq!(PhotoError::TooLarge.to_string(), "La photo dépasse 10 Mo.");
        assert!(check_photo_count(MAX_PHOTOS).is_ok());
        assert_eq!(check_photo_count(MAX_PHOTOS + 1), Err(PhotoError::TooMany));
    }

    /// A PNG that announces 10 000 × 10 000 pixels (100 megapixels) in a few bytes.
    #[test]
    fn decompression_bomb_is_refused_before_decoding() {
        let mut ihdr = Vec::new();
        ihdr.extend_from_slice(&10_000_u32.to_be_bytes());
        ihdr.extend_from_slice(&10_000_u32.to_be_bytes());
        ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
        let mut bomb = b"\x89PNG\r\n\x1a\n".to_vec();
        bomb.extend_from_slice(&png_chunk(b"IHDR", &ihdr));
        bomb.extend_from_slice(&png_chunk(
            b"IDAT",
            &[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01],
        ));
        bomb.extend_from_slice(&png_chunk(b"IEND", &[]));
        assert_eq!(sanitise_photo(&bomb), Err(PhotoError::TooManyPixels));
        // Too wide for the side limit.
        let mut wide = Vec::new();
        wide.extend_from_slice(&70_000_u32.to_be_bytes());
        wide.extend_from_slice(&1_u32.to_be_bytes());
        wide.extend_from_slice(&[8, 2, 0, 0, 0]);
        let mut bomb = b"\x89PNG\r\n\x1a\n".to_vec();
        bomb.extend_from_slice(&png_chunk(b"IHDR", &wide));
        bomb.extend_from_slice(&png_chunk(
            b"IDAT",
            &[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01],
        ));
        bomb.extend_from_slice(&png_chunk(b"IEND", &[]));
        assert_eq!(sanitise_photo(&bomb), Err(PhotoError::TooManyPixels));
    }
}
