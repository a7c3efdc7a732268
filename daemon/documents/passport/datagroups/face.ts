// DG2 face for the screen. JPEG is shown as it is (browsers decode it); JPEG 2000 goes through the
// shared opj_decompress converter (daemon/documents/mynumber/image-convert.ts) when it is installed, and
// is reported "not decoded" otherwise. The converter is injectable for tests and other platforms.
import { defaultJp2ToPng, type Jp2ToPng } from '../../../images/jp2-to-png.ts';
import type { FaceImage } from './data-groups.ts';
import type { FaceConverter } from '../passport-verdict.ts';

export function passportFaceConverter(jp2: Jp2ToPng = defaultJp2ToPng()): FaceConverter {
  return async (face: FaceImage) => {
    if (face.format === 'jpeg') return { mime: 'image/jpeg', data: face.data };
    if (face.format === 'jpeg2000') {
      const png = await jp2(face.data);
      return png ? { mime: 'image/png', data: png } : null;
    }
    return null;
  };
}
