// A synthetic 48 × 60 greyscale "face" (an oval over shoulders, no real person) as a JPEG 2000
// codestream, made once with OpenJPEG's opj_compress (-r 20). The real DF2 photo is a codestream too.
export const SYNTHETIC_PHOTO_J2K = Buffer.from(
  '/0//UQApAAAAAAAwAAAAPAAAAAAAAAAAAAAAMAAAADwAAAAAAAAAAAABBwEB/1IADAAAAAEABQQEAAH/XAATQEBISFBISFBISFBISFBISFD/ZAAlAAFDcmVhdGVkIGJ5IE9wZW5KUEVHIHZlcnNpb24gMi41LjD/kAAKAAAAAAAsAAH/k8+MIAH4ZW2jwYAQWXPHRI4MAVRr6RlHscRATHaAgP/Z',
  'base64',
);
