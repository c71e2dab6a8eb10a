/** The SDK layer: app templates, builds (CMake + clang to wasm32, or AssemblyScript in-process), the C toolchain check, the prebuilt demo. */
export {sdkDir, templatesDir, toolchainFile, cliScript} from './paths.js'
export {probeToolchain, requireToolchain, SDK_APT_PACKAGES, type Toolchain, type MissingTool} from './toolchain.js'
export {readPresets, resolvePreset, type ConfigurePreset, type ResolvedPreset} from './presets.js'
export {buildApp, summarizeBuildOutput, type BuildOptions, type BuildResult, type BuiltApp} from './build.js'
export {
  buildAssemblyScriptApp,
  isAssemblyScriptProject,
  assemblyScriptHardwareModule,
  assemblyScriptLibDir,
  assemblyScriptStartFile,
  formatAsDiagnostic,
  AS_HOST_ALIASES,
  AS_MAX_MEMORY_PAGES,
  type AsSphereConfig,
  type AsBuildOptions,
  type AsBuildResult,
} from './assemblyscript.js'
export {createApp, listTemplates, type CreateOptions, type CreateResult, type TemplateInfo} from './create.js'
export {buildDemo, demoApp, DEMO_BUILD_DATE, DEMO_COMPONENT_ID, DEMO_NAME, DEMO_TEMPLATE, type DemoApp} from './demo.js'
