//! The roster of US politicians (members of Congress, presidents, vice presidents).
