/**
 * src/image: Azure Sphere image packages (ASXipFS + "4X4M" metadata + ECDSA signature), app manifests
 * and hardware definitions. Pure data: no device, no CLI, no environment variables (callers pass
 * the SPHERE_HOME directory in).
 */
export {
  packApplication,
  parseImagePackage,
  verifyImagePackage,
  signImagePackage,
  packageDigest,
  apiSetVersion,
  MAX_PACKAGE_BYTES,
  type PackApplicationOptions,
  type ImagePackage,
  type VerifyResult,
} from './package.js'
export {
  validateManifest,
  parseManifest,
  serializeManifest,
  manifestReferences,
  MAX_MANIFEST_BYTES,
  PERIPHERAL_CAPABILITIES,
  MANIFEST_KEY_ORDER,
  type AppManifest,
  type AppCapabilities,
  type AppManifestValue,
  type ApplicationType,
  type PowerControl,
} from './manifest.js'
export {
  loadHardwareDefinition,
  parseHardwareDefinition,
  checkHardwareDefinitionJson,
  resolvePeripheral,
  resolveManifestReferences,
  generateHeader,
  headerPathFor,
  headerDefines,
  sdkHardwareDefinitionsDir,
  PERIPHERAL_TYPES,
  type HardwareDefinition,
  type Peripheral,
  type PeripheralType,
  type ResolvedPeripheral,
  type LoadOptions,
} from './hardware.js'
export {
  loadOrCreateDevKey,
  loadTrustStore,
  signingKeyFromPem,
  trustAnchorFromPem,
  sdkTestTrustAnchor,
  addTrustAnchor,
  publicKeyThumbprint,
  SDK_TEST_KEY,
  DEV_KEY_FILE,
  DEV_PUB_FILE,
  type SigningKey,
  type TrustAnchor,
  type TrustStore,
  type TrustAnchors,
  type TrustStoreOptions,
} from './keys.js'
export {
  readAsxipfs,
  writeAsxipfs,
  splitPackagePath,
  MODE_DIR,
  MODE_FILE,
  MODE_EXEC,
  type Asxipfs,
  type AsxipfsEntry,
  type AsxipfsSuperblock,
} from './asxipfs.js'
export {
  parseMetadata,
  encodeMetadata,
  SectionId,
  ImageType,
  SigningType,
  AbiType,
  IMAGE_TYPE_APPLICATIONS,
  sectionTag,
  sectionName,
  type ImageMetadata,
  type RawSection,
  type SectionInfo,
} from './metadata.js'
export {parseStrictJson, parseStrictJsonBytes} from './json.js'
export {crc32, guidToBytes, bytesToGuid, isGuid, toHex} from './binary.js'
export {packDirectory, type PackDirectoryOptions, type PackDirectoryResult} from './pack-dir.js'
export {summarizeImagePackage, type ImagePackageSummary} from './summary.js'
export {
  packBoardConfig,
  readBoardConfig,
  boardConfigComponentId,
  BOARD_CONFIG_PRESETS,
  BOARD_CONFIG_FILE,
  IMAGE_TYPE_BOARD_CONFIG,
  type BoardConfig,
  type BoardConfigPreset,
  type PackBoardConfigOptions,
} from './board-config.js'
