/* Placeholder so that a module with no sources yet still forms a library. */
typedef int cachet_empty_translation_unit;
