// Lint, plus the one-way layering of STYLE.md: a stage of engine/src may import from the stages
// before it in the data flow and from its own folder, never from a later stage.
import tseslint from "typescript-eslint";

const STAGES = ["base", "schema", "config", "rules", "sensor", "enrich", "store", "output", "control", "service", "cli"];

function layeringFor(stage, index) {
  const later = STAGES.slice(index + 1);
  return {
    files: [`engine/src/${stage}/**/*.ts`],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: later.flatMap((other) => [
            { group: [`../${other}`, `../${other}/*`, `../../${other}`, `../../${other}/*`], message: `${stage}/ comes before ${other}/ in the data flow and may not import from it` },
          ]).concat(
            // Other stages are reached only through their index.ts.
            STAGES.filter((s) => s !== stage).map((other) => ({
              group: [`../${other}/*`, `!../${other}/index`],
              message: `import ${other}/ through its index.ts`,
            })),
          ),
        },
      ],
    },
  };
}

export default tseslint.config(
  { ignores: ["node_modules/", "dist/", "build/", "**/*.cjs", "driver/", "installer/", "module/"] },
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "no-constant-condition": ["error", { checkLoops: false }],
    },
  },
  ...STAGES.map(layeringFor),
);
