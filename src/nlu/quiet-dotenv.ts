process.env.DOTENV_CONFIG_QUIET ??= 'true';
