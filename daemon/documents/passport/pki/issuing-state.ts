// ICAO 9303-3 issuing-state codes (three letters, as in DG1) → the two-letter country a CSCA certificate
// names in its subject C attribute (ICAO 9303-12 §7.1: the CSCA and DSC subject carry the issuing state as
// ISO 3166-1 alpha-2). The alpha-3 → alpha-2 pairs are the ISO 3166-1 table as published by the Debian
// iso-codes package (/usr/share/iso-codes/json/iso_3166-1.json, data from ISO via Debian, LGPL-2.1+);
// ICAO's own codes that are not ISO alpha-3 (9303-3 §5) follow it. Anything not here has no CSCA
// country and is refused unless a deployment lists an exception (passport.cscaCountryExceptions).
const ISO_3166_1 = [
  'ABW:AW AFG:AF AGO:AO AIA:AI ALA:AX ALB:AL AND:AD ARE:AE ARG:AR ARM:AM ASM:AS ATA:AQ ATF:TF ATG:AG AUS:AU',
  'AUT:AT AZE:AZ BDI:BI BEL:BE BEN:BJ BES:BQ BFA:BF BGD:BD BGR:BG BHR:BH BHS:BS BIH:BA BLM:BL BLR:BY BLZ:BZ',
  'BMU:BM BOL:BO BRA:BR BRB:BB BRN:BN BTN:BT BVT:BV BWA:BW CAF:CF CAN:CA CCK:CC CHE:CH CHL:CL CHN:CN CIV:CI',
  'CMR:CM COD:CD COG:CG COK:CK COL:CO COM:KM CPV:CV CRI:CR CUB:CU CUW:CW CXR:CX CYM:KY CYP:CY CZE:CZ DEU:DE',
  'DJI:DJ DMA:DM DNK:DK DOM:DO DZA:DZ ECU:EC EGY:EG ERI:ER ESH:EH ESP:ES EST:EE ETH:ET FIN:FI FJI:FJ FLK:FK',
  'FRA:FR FRO:FO FSM:FM GAB:GA GBR:GB GEO:GE GGY:GG GHA:GH GIB:GI GIN:GN GLP:GP GMB:GM GNB:GW GNQ:GQ GRC:GR',
  'GRD:GD GRL:GL GTM:GT GUF:GF GUM:GU GUY:GY HKG:HK HMD:HM HND:HN HRV:HR HTI:HT HUN:HU IDN:ID IMN:IM IND:IN',
  'IOT:IO IRL:IE IRN:IR IRQ:IQ ISL:IS ISR:IL ITA:IT JAM:JM JEY:JE JOR:JO JPN:JP KAZ:KZ KEN:KE KGZ:KG KHM:KH',
  'KIR:KI KNA:KN KOR:KR KWT:KW LAO:LA LBN:LB LBR:LR LBY:LY LCA:LC LIE:LI LKA:LK LSO:LS LTU:LT LUX:LU LVA:LV',
  'MAC:MO MAF:MF MAR:MA MCO:MC MDA:MD MDG:MG MDV:MV MEX:MX MHL:MH MKD:MK MLI:ML MLT:MT MMR:MM MNE:ME MNG:MN',
  'MNP:MP MOZ:MZ MRT:MR MSR:MS MTQ:MQ MUS:MU MWI:MW MYS:MY MYT:YT NAM:NA NCL:NC NER:NE NFK:NF NGA:NG NIC:NI',
  'NIU:NU NLD:NL NOR:NO NPL:NP NRU:NR NZL:NZ OMN:OM PAK:PK PAN:PA PCN:PN PER:PE PHL:PH PLW:PW PNG:PG POL:PL',
  'PRI:PR PRK:KP PRT:PT PRY:PY PSE:PS PYF:PF QAT:QA REU:RE ROU:RO RUS:RU RWA:RW SAU:SA SDN:SD SEN:SN SGP:SG',
  'SGS:GS SHN:SH SJM:SJ SLB:SB SLE:SL SLV:SV SMR:SM SOM:SO SPM:PM SRB:RS SSD:SS STP:ST SUR:SR SVK:SK SVN:SI',
  'SWE:SE SWZ:SZ SXM:SX SYC:SC SYR:SY TCA:TC TCD:TD TGO:TG THA:TH TJK:TJ TKL:TK TKM:TM TLS:TL TON:TO TTO:TT',
  'TUN:TN TUR:TR TUV:TV TWN:TW TZA:TZ UGA:UG UKR:UA UMI:UM URY:UY USA:US UZB:UZ VAT:VA VCT:VC VEN:VE VGB:VG',
  'VIR:VI VNM:VN VUT:VU WLF:WF WSM:WS YEM:YE ZAF:ZA ZMB:ZM ZWE:ZW',
].join(' ');

/** ICAO 9303-3 codes that are not ISO 3166-1 alpha-3 codes, with the country that signs them. */
const ICAO_SPECIAL: Readonly<Record<string, string>> = {
  D: 'DE', // Germany uses the one-letter code in the MRZ
  GBD: 'GB',
  GBN: 'GB',
  GBO: 'GB',
  GBP: 'GB',
  GBS: 'GB', // British nationality categories
  UTO: 'UT', // ICAO's fictional specimen state Utopia (synthetic test documents only; no ISO country uses UT)
};

const TABLE: ReadonlyMap<string, string> = new Map([...ISO_3166_1.split(/\s+/).map((p) => p.split(':') as [string, string]), ...Object.entries(ICAO_SPECIAL)]);

/** DG1 issuing state (MRZ filler '<' allowed) → the alpha-2 country its CSCA carries; null when unknown. */
export function cscaCountryOf(issuingState: string): string | null {
  return TABLE.get(issuingState.replace(/<+$/, '')) ?? null;
}
