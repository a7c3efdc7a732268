// J-LIS CA public keys that sign the card-verifiable (CV) certificates of the マイナンバーカード's 券面AP
// (EF 0004 of D3921000310001010402) and 券面事項入力補助AP (EF 0004 of D3921000310001010408).
// A CV certificate names its signer by a 16-byte 証明者鍵ID and does not carry the key, so the verifier
// must hold these itself (docs/reference/mynumber.md §CV certificates).
//
// Data only, transcribed from soltia48/myna-card src/ca.rs (moduli and key identifiers; the test
// hierarchy keys were recovered there from pairs of test-card certificates). That work is under the MIT
// licence:
//
//   MIT License — Copyright (c) soltia48
//   Permission is hereby granted, free of charge, to any person obtaining a copy of this software and
//   associated documentation files (the "Software"), to deal in the Software without restriction,
//   including without limitation the rights to use, copy, modify, merge, publish, distribute, sublicense,
//   and/or sell copies of the Software, and to permit persons to whom the Software is furnished to do so,
//   subject to the following conditions: The above copyright notice and this permission notice shall be
//   included in all copies or substantial portions of the Software.
//   THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING BUT NOT
//   LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN
//   NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY,
//   WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION WITH THE
//   SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.
//
// Hierarchies: production identifiers begin with '5', the JPKI test hierarchy's with '6'. Test keys are
// used only when the deployment says so (config mynumber.testCards) — a test card is not a person's card.

export type CvHierarchy = 'production' | 'test';

export interface CvCaKeyData {
  /** 証明者鍵ID, 16 bytes as hex: 7 ASCII digits ‖ 08 05 ‖ 3 ASCII digits ‖ 4 bytes padding. */
  keyIdHex: string;
  hierarchy: CvHierarchy;
  /** Which application's CV certificates this key signs (informational). */
  application: string;
  /** RSA-2048 modulus, big-endian hex. */
  modulusHex: string;
  /** Public exponent, big-endian hex (65537 for every published key). */
  exponentHex: string;
}

const keyId = (number: string) =>
  Buffer.concat([Buffer.from(number, 'ascii'), Buffer.from([0x08, 0x05]), Buffer.from('001', 'ascii'), Buffer.alloc(4)]).toString('hex');

export const JLIS_CV_CA_KEYS: readonly CvCaKeyData[] = [
  {
    // 5000023: 券面事項確認AP (券面AP)
    keyIdHex: keyId('5000023'),
    hierarchy: 'production',
    application: '券面事項確認AP (券面AP)',
    modulusHex: [
      'b2f740f0ad86d17cf3f537d23b4b3c65a3cb58474d857f55d0b9bc0411b1cb0849068de332a50d63b3e6921c9ccbe615',
      '6496efb04be8ffcc74fde9a228a36ad7edce9793204e35973dc911108365002c40169e0b60018dfb99e1e2310d9a110f',
      'f0fc269f1f220c63b8a1510de5a6898220c78908fc280d8aa95d5d113b7cf00700f3ff5ad8b3d6ad2eb53c7d563498b4',
      'a938deffc9bda32bf4146c1b07ef870d99eb35de5d70ac18715874277a13151d217d04d42e97923923a40fbc7d06faa8',
      '338ccbe876620f9b8ef4471cd4b9e29d4ea621e0fb8f1dc04b487210097dbaaf3d8e0550c76a5b97cf202fa47c7a2622',
      'f1c084e65c13d13b8e7ab226f5f51f87',
    ].join(''),
    exponentHex: '010001',
  },
  {
    // 5000033: 券面事項入力補助AP
    keyIdHex: keyId('5000033'),
    hierarchy: 'production',
    application: '券面事項入力補助AP',
    modulusHex: [
      'd24615f63525e740c87e83ed64787e76d10a1f8652ebe1ea28934d35ce3bf07716f5b79e2bcb2ae2b91b4f4c9ffb6024',
      '97f596d659af9d0a14b45cdd738ef56249349b8cc7db32f2d433bd39bcc44f503e881d56c149ecd5155c1ce7461fc3ac',
      '4f55d0a39ccaaadfae5b8afa11ccf91bedc774023d11ca6eba99004f81c541a7d67dded8c724d6e20b10a3deaae8c43c',
      '137ccd71b263740e8979752de4d5676329cabcbd7f3a77fc48a6f8e61d399b4ac66684a9fdfc99ecef900dd6ff7f0fdd',
      '39e23d163f8a468c62dbeae00906dfad5a89b45ca5b7353dc998a80d3803eda794b55f99f535d1c39a243c8352ad602d',
      '926c389d2816c941349ee24e4f41597f',
    ].join(''),
    exponentHex: '010001',
  },
  {
    // 6000023: 券面事項確認AP (券面AP), JPKI test hierarchy
    keyIdHex: keyId('6000023'),
    hierarchy: 'test',
    application: '券面事項確認AP (券面AP), JPKI test hierarchy',
    modulusHex: [
      'e08ca1caa0e58c5df24bfd67e45b7ce4b50eff828c10568055f7e012b7212e7d2879b9e0b951e7ac5a6dc0d7d3c31c22',
      '3951a1e2774f398cf46602a8aec04898714981f813cb9dbd2ef9068528e9450361c00154738ca4dd79d138098b91fae2',
      '9a4fd750556367bb854158953af58c0e8bbf289c3a30e595fef044519e967ef0686cbcf6ef6b9ed6fc2a19f800ce07e9',
      '29ac11556f1073077372279ba130216fc680b7c39788c8e7534f71eeb4c00c9053fbf6e92a07784f26308af78f9c1800',
      '3ecbf12965bd303045b8a76391c431787ffc745cc274206616d91e81b39bb9a2db4b64c4ad47831ab06cc401f2162f30',
      'd9316c38557d4d96ed5e76db49b9092d',
    ].join(''),
    exponentHex: '010001',
  },
  {
    // 6000033: 券面事項入力補助AP, JPKI test hierarchy
    keyIdHex: keyId('6000033'),
    hierarchy: 'test',
    application: '券面事項入力補助AP, JPKI test hierarchy',
    modulusHex: [
      'b1fe36bd147bf41b2011b9156867c4118b05ae47d691cdb4a4467f4949afdd71e28e12b5c61e68f00b639a6ccbcf4479',
      '8761c7700a81f666c67831433b742a2c1126942601e25371b2b93631067d466f201eaf31393b1bd6a47589fb57b31897',
      '35a27a24583fde2bf26c2a34d8645fe0e6e2fe901612cef8c740c228289af6d457aca3b1aa2f9ebb56da3591c30830b8',
      'afe2a1ca99951e670b9e9c0b40ebdbec212f9400e5aaf5c2b5107de34ab6bc66425a86d731a392e81001dea1ce565981',
      'be158256ae05598a2b8bfb04c1b66ee2008e019fb1b2ba3785e0ca78ca31ea5f09b4d550577dbf12a747abd5e1c450c0',
      '750df965f53ea08bbf12e40a4057c74d',
    ].join(''),
    exponentHex: '010001',
  },
];
